import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import { MemoryRunStore } from '../../../src/adapters/memory/memory-run-store.ts';
import { MemoryServerStore } from '../../../src/adapters/memory/memory-server-store.ts';
import { MemorySparkSessionStore } from '../../../src/adapters/memory/memory-spark-session-store.ts';
import { HmacCursorCodec } from '../../../src/adapters/system/hmac-cursor-codec.ts';
import { hashRunToken } from '../../../src/domain/run.ts';
import { makeCredentialHandlers } from '../../../src/handlers/http/credential-handlers.ts';
import type { ApiEvent, ApiResult } from '../../../src/http/api-event.ts';
import { sampleRun } from '../../contract/run-store.case.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { FakeClock, SequentialIds, testRole } from '../../support/fakes.ts';

const TOKEN = 'run-token-'.padEnd(43, 'x');

// What API Gateway passes for a route without a JWT authorizer: the runner's own Authorization header, nothing else.
const event = (runId: string, authorization?: string, body = '{}'): ApiEvent =>
  ({
    version: '2.0',
    routeKey: 'POST /runs/{id}/credentials',
    rawPath: `/runs/${runId}/credentials`,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    pathParameters: { id: runId },
    body,
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1', routeKey: 'POST /runs/{id}/credentials', http: { method: 'POST' } },
  }) as unknown as ApiEvent;

const handlers = async () => {
  const runs = new MemoryRunStore();
  const run = sampleRun({ status: 'IN_PROGRESS', role: 'sandbox', roleTeam: null, runTokenHash: hashRunToken(TOKEN) });
  await runs.createRun(run);
  const deps = {
    roles: [testRole('sandbox', { account: 'sandbox', teams: ['*'] })],
    broker: new FakeCredentialBroker(),
    credentialLog: new MemoryCredentialLog(),
    clock: new FakeClock(),
    ids: new SequentialIds(),
    cursors: new HmacCursorCodec('test-secret-test-secret'),
    servers: new MemoryServerStore(),
    sparkSessions: new MemorySparkSessionStore(),
    runs,
  };
  return { run, h: makeCredentialHandlers(deps, {}) };
};

type Answer = ApiResult & { statusCode: number; headers: Record<string, string>; body: string };

describe('POST /runs/{id}/credentials', () => {
  it('answers the run token with the role’s keys, uncacheable, taking `token` or `Bearer` as the scheme', async () => {
    // Prepare
    const { run, h } = await handlers();
    // Act
    const asToken = (await h.issueRunCredentials(event(run.id, `token ${TOKEN}`), {} as Context)) as Answer;
    const asBearer = (await h.issueRunCredentials(event(run.id, `Bearer ${TOKEN}`), {} as Context)) as Answer;
    // Assess
    expect(asToken.statusCode).toBe(200);
    expect(asToken.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(asToken.body)).toMatchObject({ role: 'sandbox', sourceIdentity: 'alice' });
    expect(asBearer.statusCode).toBe(200);
  });

  it('answers 401 without a token, 403 for a wrong one, and 400 for a body it does not take', async () => {
    // Prepare
    const { run, h } = await handlers();
    const call = async (e: ApiEvent) => (await h.issueRunCredentials(e, {} as Context)) as Answer;
    // Act
    const [none, wrong, body] = await Promise.all([
      call(event(run.id)),
      call(event(run.id, 'token not-the-token')),
      call(event(run.id, `token ${TOKEN}`, '{"role":"admin"}')),
    ]);
    // Assess
    expect([none.statusCode, wrong.statusCode, body.statusCode]).toEqual([401, 403, 400]);
  });
});
