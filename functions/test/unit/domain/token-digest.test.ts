import { describe, expect, it } from 'vitest';
import { matchesDigest, tokenDigest } from '../../../src/domain/token-digest.ts';

describe('token digests', () => {
  it('store a token as its sha256 in hex, never the token', () => {
    // Act
    const digest = tokenDigest('osc1.srv.launch.secret');

    // Assess
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain('secret');
  });

  it('match the token whose digest was kept, and nothing else', () => {
    // Prepare
    const kept = tokenDigest('the-token');

    // Act
    const answers = [
      matchesDigest('the-token', kept),
      matchesDigest('the-token ', kept),
      matchesDigest('other', kept),
      matchesDigest('the-token', null),
      matchesDigest('the-token', undefined),
      matchesDigest('the-token', ''),
      matchesDigest('the-token', kept.slice(0, 32)),
      matchesDigest('the-token', 'not hex at all'),
    ];

    // Assess
    expect(answers).toEqual([true, false, false, false, false, false, false, false]);
  });
});
