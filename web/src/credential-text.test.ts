import { describe, expect, it } from 'vitest';
import type { IssuedCredentials } from './api-client.ts';
import {
  absoluteApiUrl,
  countdownText,
  credentialProcessBlock,
  defaultMinutes,
  durationProblem,
  exportLines,
  profileBlock,
  secondsLeft,
  shellQuote,
} from './credential-text.ts';

const KEYS: IssuedCredentials = {
  accessKeyId: 'ASIAEXAMPLE123',
  secretAccessKey: 'abc/def+ghi=',
  sessionToken: 'FwoGZXIvYXdz//token',
  expiration: '2026-01-05T10:00:00.000Z',
  role: 'ads-analyst',
  account: 'ads-dev',
  sourceIdentity: 'alice',
};

describe('credential text', () => {
  it('writes one export line per key, quoting only values a shell would split', () => {
    // Act
    const lines = exportLines({ ...KEYS, sessionToken: "it's a token" });
    // Assess
    expect(lines).toBe(
      [
        'export AWS_ACCESS_KEY_ID=ASIAEXAMPLE123',
        'export AWS_SECRET_ACCESS_KEY=abc/def+ghi=',
        `export AWS_SESSION_TOKEN='it'\\''s a token'`,
      ].join('\n'),
    );
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });

  it('writes a ~/.aws/credentials profile named orrery-<role>, headed by when it expires', () => {
    // Act
    const block = profileBlock(KEYS);
    // Assess
    expect(block).toBe(
      [
        '# ads-analyst (ads-dev) from Orrery; expires 2026-01-05T10:00:00.000Z',
        '[orrery-ads-analyst]',
        'aws_access_key_id = ASIAEXAMPLE123',
        'aws_secret_access_key = abc/def+ghi=',
        'aws_session_token = FwoGZXIvYXdz//token',
      ].join('\n'),
    );
  });

  it('writes a ~/.aws/config profile whose credential_process runs the helper against the absolute API URL', () => {
    // Prepare
    const api = absoluteApiUrl('/api/', 'http://127.0.0.1:8080');
    // Act
    const block = credentialProcessBlock('ads-analyst', api);
    // Assess
    expect(api).toBe('http://127.0.0.1:8080/api');
    expect(absoluteApiUrl('https://api.example.com', 'https://portal.example.com')).toBe('https://api.example.com');
    expect(block).toBe(
      '[profile orrery-ads-analyst]\n' +
        'credential_process = npm --prefix /path/to/orrery run -s credentials -- ' +
        '--role ads-analyst --api http://127.0.0.1:8080/api',
    );
  });

  it('counts down in hours, minutes and two-digit seconds, and says Expired at zero and after', () => {
    // Prepare
    const now = Date.parse('2026-01-05T09:00:00.000Z');
    // Act
    const shown = [3909, 242, 9, 0].map(countdownText);
    const left = [
      secondsLeft(KEYS.expiration, now),
      secondsLeft(KEYS.expiration, now + 3_599_500),
      secondsLeft(KEYS.expiration, now + 4_000_000),
      secondsLeft('not a date', now),
    ];
    // Assess
    expect(shown).toEqual(['1 h 05 min 09 s left', '4 min 02 s left', '9 s left', 'Expired']);
    expect(left).toEqual([3600, 1, 0, 0]);
  });

  it("bounds the duration by STS's 15 minutes and the role's maximum, defaulting to an hour or the maximum", () => {
    // Act
    const problems = ['', '1.5', '14', '120', '121'].map((typed) => durationProblem(typed, 7200));
    // Assess
    expect(problems).toEqual([
      'Enter a whole number of minutes, 15 to 120.',
      'Enter a whole number of minutes, 15 to 120.',
      'At least 15 minutes: AWS issues no shorter session.',
      null,
      'At most 120 minutes: the longest session this role allows.',
    ]);
    expect([defaultMinutes(7200), defaultMinutes(1800), defaultMinutes(1000)]).toEqual([60, 30, 16]);
  });
});
