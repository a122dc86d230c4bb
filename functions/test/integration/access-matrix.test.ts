import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyNotebook } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let t: TestPlatform;
let teamNb: string;
let privateNb: string;
let expired: string;
let forged: string;
let unsigned: string;
let wrongAudience: string;

beforeAll(async () => {
  t = await startTestPlatform();
  teamNb = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Team report', visibility: 'team', tags: ['q3'], content: tinyNotebook() })).body.notebook.id;
  privateNb = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'Private', content: tinyNotebook() })).body.notebook.id;
  expired = await t.platform.users.tokenFor('alice', -60);
  const { privateKey } = await generateKeyPair('ES256');
  forged = await new SignJWT({ 'cognito:groups': ['ads', 'orrery-admins'] }).setProtectedHeader({ alg: 'ES256' }).setSubject('alice').setIssuer('orrery-local').setAudience('orrery').setExpirationTime('1h').sign(privateKey);
  unsigned = new UnsecuredJWT({ 'cognito:groups': ['orrery-admins'] }).setSubject('alice').setIssuer('orrery-local').setAudience('orrery').setExpirationTime('1h').encode();
  const [h, , s] = expired.split('.');
  wrongAudience = `${h}.${Buffer.from(JSON.stringify({ sub: 'alice', aud: 'other', iss: 'orrery-local', exp: 9999999999 })).toString('base64url')}.${s}`;
});
afterAll(async () => {
  await t?.close();
});

type Who = 'alice' | 'amir' | 'bob' | 'root' | 'none' | 'expired' | 'forged' | 'unsigned' | 'wrongAudience';
const token = (who: Who) => ({ none: null, expired, forged, unsigned, wrongAudience })[who as 'none'] ?? t.tokens[who as 'alice'];

// Owner alice and teammate amir are in 'ads', bob in 'risk', root is an admin.
const matrix: Array<[string, string, (id: string) => string, unknown, Record<Who, number>]> = [
  ['read', 'GET', (id) => `/notebooks/${id}`, undefined, { alice: 200, amir: 200, bob: 404, root: 200, none: 401, expired: 401, forged: 401, unsigned: 401, wrongAudience: 401 }],
  ['list versions', 'GET', (id) => `/notebooks/${id}/versions`, undefined, { alice: 200, amir: 200, bob: 404, root: 200, none: 401, expired: 401, forged: 401, unsigned: 401, wrongAudience: 401 }],
  ['read a version', 'GET', (id) => `/notebooks/${id}/versions/1`, undefined, { alice: 200, amir: 200, bob: 404, root: 200, none: 401, expired: 401, forged: 401, unsigned: 401, wrongAudience: 401 }],
  ['render', 'GET', (id) => `/notebooks/${id}/versions/1/html`, undefined, { alice: 200, amir: 200, bob: 404, root: 200, none: 401, expired: 401, forged: 401, unsigned: 401, wrongAudience: 401 }],
  ['parameters', 'GET', (id) => `/notebooks/${id}/parameters`, undefined, { alice: 200, amir: 200, bob: 404, root: 200, none: 401, expired: 401, forged: 401, unsigned: 401, wrongAudience: 401 }],
  ['edit', 'PATCH', (id) => `/notebooks/${id}`, { description: 'edited' }, { alice: 200, amir: 403, bob: 404, root: 200, none: 401, expired: 401, forged: 401, unsigned: 401, wrongAudience: 401 }],
  ['commit', 'POST', (id) => `/notebooks/${id}/versions`, { content: tinyNotebook('again') }, { alice: 201, amir: 403, bob: 404, root: 201, none: 401, expired: 401, forged: 401, unsigned: 401, wrongAudience: 401 }],
  ['upload', 'POST', (id) => `/notebooks/${id}/uploads`, undefined, { alice: 201, amir: 403, bob: 404, root: 201, none: 401, expired: 401, forged: 401, unsigned: 401, wrongAudience: 401 }],
];

describe('who may do what, route by route', () => {
  for (const [what, method, path, body, expected] of matrix) {
    for (const [who, status] of Object.entries(expected) as Array<[Who, number]>) {
      it(`answers ${status} when ${who} tries to ${what} a team notebook`, async () => {
        const res = await t.api(method, path(teamNb), token(who), body);
        expect(res.status, res.text).toBe(status);
        expect(res.headers.get('x-request-id')).toBeTruthy();
        if (status >= 400) expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String), requestId: res.headers.get('x-request-id') });
      });
    }
  }

  it('hides a private notebook from a teammate as a 404, in reads and lists alike', async () => {
    expect((await t.api('GET', `/notebooks/${privateNb}`, t.tokens.amir)).status).toBe(404);
    expect((await t.api('GET', `/notebooks/${privateNb}/versions/1/html`, t.tokens.amir)).status).toBe(404);
    const list = await t.api('GET', '/notebooks', t.tokens.amir);
    expect(list.body.items.map((n: { id: string }) => n.id)).toEqual([teamNb]);
    expect((await t.api('GET', '/notebooks', t.tokens.bob)).body.items).toEqual([]);
  });

  it('lets only owner and admins see an archived notebook, and only owner and admins archive', async () => {
    const { body } = await t.api('POST', '/notebooks', t.tokens.alice, { title: 'To archive', visibility: 'org', content: tinyNotebook() });
    const id = body.notebook.id;
    expect((await t.api('DELETE', `/notebooks/${id}`, t.tokens.bob)).status).toBe(403);
    expect((await t.api('DELETE', `/notebooks/${id}`, null)).status).toBe(401);
    expect((await t.api('DELETE', `/notebooks/${id}`, t.tokens.alice)).body).toMatchObject({ archived: true });
    expect((await t.api('DELETE', `/notebooks/${id}`, t.tokens.alice)).status).toBe(200);
    expect((await t.api('GET', `/notebooks/${id}`, t.tokens.bob)).status).toBe(404);
    expect((await t.api('GET', `/notebooks/${id}/versions/1`, t.tokens.amir)).status).toBe(404);
    expect((await t.api('GET', `/notebooks/${id}/versions/1`, t.tokens.alice)).status).toBe(200);
    expect((await t.api('GET', `/notebooks/${id}/versions/1`, t.tokens.root)).status).toBe(200);
    expect((await t.api('GET', '/notebooks', t.tokens.alice)).body.items.map((n: { id: string }) => n.id)).not.toContain(id);
  });

  it('serves health and the API description without a token, and /me with one', async () => {
    expect((await t.api('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await t.api('GET', '/openapi.json')).status).toBe(200);
    expect((await t.api('GET', '/me')).status).toBe(401);
    expect((await t.api('GET', '/me', t.tokens.root)).body).toMatchObject({ id: 'root', admin: true, teams: [] });
    expect((await t.api('GET', '/me', t.tokens.amir)).body).toMatchObject({ id: 'amir', admin: false, teams: ['ads'] });
  });
});
