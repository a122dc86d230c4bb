import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { credentialProcess } from '../credential-process.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'eyJ.test.token';
const KEYS = {
  accessKeyId: 'ASIAORRERYTEST000001',
  secretAccessKey: 'secret/with+slashes=',
  sessionToken: 'FwoGZXIvYXdzEJr//////////test',
  expiration: '2026-01-05T10:00:00.000Z',
  role: 'ads-analyst',
  account: 'ads-dev',
  sourceIdentity: 'alice',
};

/** What the tiny API received. */
interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

describe('the credential_process helper against a tiny local API', () => {
  let server: Server;
  let api: string;
  let received: Received[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: KEYS };
  const home = mkdtempSync(join(tmpdir(), 'orrery-credentials-'));

  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const text = await read(req);
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: text ? JSON.parse(text) : null,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(() => {
    received = [];
    answer = { status: 200, body: KEYS };
  });

  it('prints the AWS credential_process JSON of the keys the API issued, and nothing else', async () => {
    // Act
    const result = await credentialProcess({
      argv: ['--role', 'ads-analyst', '--api', `${api}/`, '--duration', '1800'],
      env: { ORRERY_TOKEN: TOKEN },
    });
    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(JSON.parse(result.stdout)).toEqual({
      Version: 1,
      AccessKeyId: KEYS.accessKeyId,
      SecretAccessKey: KEYS.secretAccessKey,
      SessionToken: KEYS.sessionToken,
      Expiration: KEYS.expiration,
    });
    expect(received).toEqual([
      {
        method: 'POST',
        url: '/api/credentials',
        authorization: `Bearer ${TOKEN}`,
        body: { role: 'ads-analyst', durationSeconds: 1800 },
      },
    ]);
  });

  it('reads the token from the file ORRERY_TOKEN_FILE names, trimmed, and leaves the duration to the API', async () => {
    // Prepare
    const file = join(home, 'token');
    writeFileSync(file, `${TOKEN}\n`);
    // Act
    const result = await credentialProcess({
      argv: ['--role', 'ads-analyst', '--api', api],
      env: { ORRERY_TOKEN_FILE: file },
    });
    // Assess
    expect(result.code).toBe(0);
    expect(received[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received[0]?.body).toEqual({ role: 'ads-analyst' });
  });

  it('exits 1 naming ORRERY_TOKEN and ORRERY_TOKEN_FILE when neither is set, without calling the API', async () => {
    // Act
    const result = await credentialProcess({ argv: ['--role', 'ads-analyst', '--api', api], env: {} });
    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/ORRERY_TOKEN.*ORRERY_TOKEN_FILE/);
    expect(received).toEqual([]);
  });

  it("exits 1 with the API's message and what to fix when the API refuses the role or the token", async () => {
    // Prepare
    answer = { status: 403, body: { error: 'forbidden', message: 'you do not hold the role nope', requestId: 'r1' } };
    // Act
    const forbidden = await credentialProcess({ argv: ['--role', 'nope', '--api', api], env: { ORRERY_TOKEN: TOKEN } });
    answer = { status: 401, body: { error: 'unauthorized', message: 'token expired', requestId: 'r2' } };
    const expired = await credentialProcess({ argv: ['--role', 'nope', '--api', api], env: { ORRERY_TOKEN: TOKEN } });
    // Assess
    expect(forbidden).toMatchObject({ code: 1, stdout: '' });
    expect(forbidden.stderr).toContain('answered 403: you do not hold the role nope');
    expect(forbidden.stderr).toContain('Credentials page');
    expect(expired.stderr).toContain('get a new one');
  });

  it('exits 1 on a missing role, a duration that is not whole seconds, and an API nobody answers', async () => {
    // Prepare
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/api`;
    await new Promise((resolve) => closed.close(resolve));
    const env = { ORRERY_TOKEN: TOKEN };
    // Act
    const noRole = await credentialProcess({ argv: ['--api', api], env });
    const badDuration = await credentialProcess({ argv: ['--role', 'x', '--duration', '1h'], env });
    const unreachable = await credentialProcess({ argv: ['--role', 'x', '--api', gone], env });
    // Assess
    expect(noRole.stderr).toContain('--role is required');
    expect(badDuration.stderr).toContain('--duration 1h: give whole seconds');
    expect(unreachable.stderr).toContain(`cannot reach ${gone} (ECONNREFUSED)`);
    expect([noRole.code, badDuration.code, unreachable.code]).toEqual([1, 1, 1]);
  });

  it('prints only the JSON on stdout when run as `npm run -s credentials`, as the AWS CLI runs it', async () => {
    // Act
    const { stdout, stderr } = await promisify(execFile)(
      'npm',
      ['run', '-s', 'credentials', '--', '--role', 'ads-analyst', '--api', api],
      { cwd: ROOT, env: { ...process.env, ORRERY_TOKEN: TOKEN } },
    );
    // Assess
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ Version: 1, AccessKeyId: KEYS.accessKeyId });
  });
});
