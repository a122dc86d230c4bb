import type { Context } from 'aws-lambda';
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClaimNames } from '../../../src/domain/user.ts';
import { makeNotebookHandlers } from '../../../src/handlers/http/notebook-handlers.ts';
import { makeMe } from '../../../src/handlers/http/system-handlers.ts';
import type { ApiEvent, ApiResult } from '../../../src/http/api-event.ts';
import { DEFAULT_PROFILES } from '../../../src/config/profiles-config.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { memoryDeps } from '../../support/fakes.ts';
import { tinyNotebook } from '../../support/notebooks.ts';

// An OIDC IdP whose users may name their own groups (Google, Microsoft 365, GitLab).
const ISSUER = 'https://login.example.com/oauth2';
const NAMES: ClaimNames = { user: 'sub', name: 'name', teams: 'groups', adminGroup: 'orrery-admins' };
const HOSTILE = ['Reporting, orrery-admins', 'Data Science'];
const EXP = Math.floor(Date.now() / 1000) + 3600;

let privateKey: CryptoKey;

const sign = (sub: string, claims: Record<string, unknown>, exp = EXP) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience('orrery-portal')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(privateKey);

// What the HTTP API's JWT authorizer passes to Lambda: every claim a string, arrays as `[a b]`.
const flattened = (sub: string, groups: string[], exp = EXP) => ({
  sub,
  iss: ISSUER,
  aud: '[orrery-portal]',
  exp: String(exp),
  iat: String(exp - 3600),
  groups: `[${groups.join(' ')}]`,
});

const cloudEvent = (
  routeKey: string,
  authorization: string | undefined,
  claims: Record<string, string>,
  pathParameters?: Record<string, string>,
): ApiEvent =>
  ({
    version: '2.0',
    routeKey,
    rawPath: routeKey.split(' ')[1],
    rawQueryString: '',
    headers: authorization === undefined ? {} : { authorization },
    pathParameters,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      routeKey,
      http: { method: routeKey.split(' ')[0] },
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
    },
  }) as unknown as ApiEvent;

const me = makeMe({ profiles: DEFAULT_PROFILES, roles: [] }, { claimNames: NAMES });
const call = async (handler: (e: ApiEvent, c: Context) => Promise<ApiResult>, event: ApiEvent) => {
  const res = (await handler(event, {} as Context)) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) };
};

beforeAll(async () => {
  ({ privateKey } = await generateKeyPair('RS256'));
});

describe('the caller of a cloud request (HTTP API JWT authorizer event)', () => {
  it('gives a member of "Reporting, orrery-admins" and "Data Science" neither admin nor the team Science', async () => {
    // Prepare
    const token = await sign('mallory', { groups: HOSTILE });
    const event = cloudEvent('GET /me', `Bearer ${token}`, flattened('mallory', HOSTILE));

    // Act
    const res = await call(me, event);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'mallory', admin: false, teams: [] });
  });

  it('keeps the team notebooks of "Science" from a member of "Data Science"', async () => {
    // Prepare
    const deps = memoryDeps();
    const scientist = { id: 'sci', name: 'Sci', teams: ['Science'], admin: false };
    const { notebook } = await createNotebook(deps, {
      user: scientist,
      title: 'Science only',
      visibility: 'team',
      team: 'Science',
      content: tinyNotebook(),
    });
    const getNotebook = makeNotebookHandlers(deps, { claimNames: NAMES }).getNotebook;
    const ask = async (sub: string, groups: string[]) =>
      call(
        getNotebook,
        cloudEvent('GET /notebooks/{id}', `Bearer ${await sign(sub, { groups })}`, flattened(sub, groups), {
          id: notebook.id,
        }),
      );

    // Act
    const [mallory, dana] = [await ask('mallory', HOSTILE), await ask('dana', ['Science'])];

    // Assess
    expect(mallory.status).toBe(404);
    expect(dana.status).toBe(200);
  });

  it('reads real groups and the admin group from the token in the header, with or without the Bearer prefix', async () => {
    // Prepare
    const groups = ['Science', 'orrery-admins'];
    const token = await sign('root', { groups });

    // Act
    const prefixed = await call(me, cloudEvent('GET /me', `Bearer ${token}`, flattened('root', groups)));
    const bare = await call(me, cloudEvent('GET /me', token, flattened('root', groups)));

    // Assess
    expect(prefixed.body).toMatchObject({ id: 'root', admin: true, teams: ['Science'] });
    expect(bare.body).toEqual(prefixed.body);
  });

  it('answers 401 when the header is missing or is not the token the authorizer verified', async () => {
    // Prepare
    const groups = ['orrery-admins'];
    const claims = flattened('mallory', []);
    const cases = {
      'no header': undefined,
      'another user': `Bearer ${await sign('root', { groups })}`,
      'another expiry': `Bearer ${await sign('mallory', { groups }, EXP + 60)}`,
      'two tokens': `Bearer ${await sign('mallory', { groups })}, Bearer ${await sign('mallory', {})}`,
      'not a JWT': 'Bearer not-a-token',
      'a payload that is not JSON': `Bearer eyJhbGciOiJSUzI1NiJ9.${Buffer.from('mallory').toString('base64url')}.c2ln`,
    };

    // Act
    const answers = await Promise.all(
      Object.values(cases).map((authorization) => call(me, cloudEvent('GET /me', authorization, claims))),
    );

    // Assess
    expect(Object.fromEntries(Object.keys(cases).map((name, i) => [name, answers[i]!.status]))).toEqual(
      Object.fromEntries(Object.keys(cases).map((name) => [name, 401])),
    );
    expect(answers.map((a) => a.body.error)).toEqual(answers.map(() => 'unauthorized'));
  });

  it('marks JSON answers and errors nosniff', async () => {
    // Prepare
    const token = await sign('mallory', { groups: [] });

    // Act
    const answer = await call(me, cloudEvent('GET /me', `Bearer ${token}`, flattened('mallory', [])));
    const refusal = await call(me, cloudEvent('GET /me', undefined, flattened('mallory', [])));

    // Assess
    expect([answer.status, refusal.status]).toEqual([200, 401]);
    expect([answer.headers['x-content-type-options'], refusal.headers['x-content-type-options']]).toEqual([
      'nosniff',
      'nosniff',
    ]);
  });
});
