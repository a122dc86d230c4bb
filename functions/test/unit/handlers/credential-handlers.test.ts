import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRunStore } from '../../../src/adapters/memory/memory-run-store.ts';
import { MemoryServerStore } from '../../../src/adapters/memory/memory-server-store.ts';
import { MemorySparkSessionStore } from '../../../src/adapters/memory/memory-spark-session-store.ts';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { HmacCursorCodec } from '../../../src/adapters/system/hmac-cursor-codec.ts';
import { makeCredentialHandlers } from '../../../src/handlers/http/credential-handlers.ts';
import type { ApiEvent, ApiResult } from '../../../src/http/api-event.ts';
import { configureObservability } from '../../../src/observability/settings.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { FakeClock, SequentialIds, testRole } from '../../support/fakes.ts';

const EXP = Math.floor(Date.now() / 1000) + 3600;
const ISSUER = 'https://login.example.com';

// What API Gateway passes after its JWT authorizer: the token in the header, its claims flattened beside it.
const event = (routeKey: string, sub: string, groups: string[], body?: unknown): ApiEvent => {
  const claims = { sub, iss: ISSUER, exp: EXP, 'cognito:groups': groups };
  const token = ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'c2ln'].join('.');
  return {
    version: '2.0',
    routeKey,
    rawPath: routeKey.split(' ')[1]!,
    rawQueryString: '',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      routeKey,
      http: { method: routeKey.split(' ')[0] },
      authorizer: { jwt: { claims: { sub, iss: ISSUER, exp: String(EXP) }, scopes: [] } },
    },
  } as unknown as ApiEvent;
};

const handlers = () => {
  const deps = {
    roles: [testRole('sandbox', { account: 'sandbox', teams: ['*'] })],
    broker: new FakeCredentialBroker(),
    credentialLog: new MemoryCredentialLog(),
    clock: new FakeClock(),
    ids: new SequentialIds(),
    cursors: new HmacCursorCodec('test-secret-test-secret'),
    servers: new MemoryServerStore(),
    sparkSessions: new MemorySparkSessionStore(),
    runs: new MemoryRunStore(),
  };
  return { deps, h: makeCredentialHandlers(deps, {}) };
};

const call = async (handler: (e: ApiEvent, c: Context) => Promise<ApiResult>, e: ApiEvent) =>
  (await handler(e, {} as Context)) as { statusCode: number; headers: Record<string, string>; body: string };

// Everything the process writes while `act` runs, at the most talkative log level.
const written = async <T>(act: () => Promise<T>): Promise<{ result: T; output: string }> => {
  configureObservability({ logLevel: 'debug' });
  const lines: string[] = [];
  const keep = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  const result = await act();
  vi.restoreAllMocks();
  return { result, output: lines.join('') };
};

describe('the credentials handlers', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    configureObservability({ logLevel: 'silent' });
  });

  it('answer the keys once, uncacheable, and never write them to the log', async () => {
    // Prepare
    const { h } = handlers();
    // Act
    const { result, output } = await written(() =>
      call(h.issueCredentials, event('POST /credentials', 'alice', ['ads'], { role: 'sandbox' })),
    );
    // Assess
    const keys = JSON.parse(result.body);
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    expect(keys).toMatchObject({ role: 'sandbox', account: 'sandbox', sourceIdentity: 'alice' });
    expect(output).toContain('"message":"request"');
    for (const secret of [keys.accessKeyId, keys.secretAccessKey, keys.sessionToken]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain('"role":"sandbox"');
  });

  it('answer 503 without keys when the issue cannot be recorded, and log no keys either', async () => {
    // Prepare
    const { deps, h } = handlers();
    deps.credentialLog.record = async () => {
      throw new Error('the table is gone');
    };
    // Act
    const { result, output } = await written(() =>
      call(h.issueCredentials, event('POST /credentials', 'alice', ['ads'], { role: 'sandbox' })),
    );
    // Assess
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'upstream_unavailable' });
    expect(`${result.body}${output}`).not.toMatch(/ASIAFAKE|fake-secret|fake-session-token/);
  });

  it('answer 403 for a role not held and 400 for a duration out of bounds, naming them', async () => {
    // Prepare
    const { h } = handlers();
    // Act
    const notHeld = await call(h.issueCredentials, event('POST /credentials', 'bob', [], { role: 'prod-admin' }));
    const tooLong = await call(
      h.issueCredentials,
      event('POST /credentials', 'bob', [], { role: 'sandbox', durationSeconds: 3601 }),
    );
    // Assess
    expect(notHeld.statusCode).toBe(403);
    expect(JSON.parse(notHeld.body).message).toBe(
      "you may not assume role 'prod-admin': ask an admin to add you or your team to it",
    );
    expect(tooLong.statusCode).toBe(400);
    expect(JSON.parse(tooLong.body)).toMatchObject({
      message: "durationSeconds must be a whole number from 900 to 3600 for role 'sandbox'",
      details: [{ path: 'body.durationSeconds' }],
    });
  });
});
