import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Visibility } from '../../src/domain/notebook.ts';
import { tinyNotebook } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { jupyterKernelAvailable, waitForRun } from '../support/runs.ts';

let t: TestPlatform;
const notebooks = {} as Record<Visibility, string>;
const badTokens: Record<string, string | null> = {};

// Owner alice and teammate amir are in 'ads', bob in 'risk', root is an admin.
const PEOPLE = ['alice', 'amir', 'bob', 'root'] as const;
type Person = (typeof PEOPLE)[number];
const BAD = ['no token', 'expired', 'forged signature', 'alg none', 'wrong audience', 'wrong issuer'] as const;

const canRead = (who: Person, visibility: Visibility) =>
  who === 'alice' || who === 'root' || visibility === 'org' || (visibility === 'team' && who === 'amir');
const canWrite = (who: Person) => who === 'alice' || who === 'root';
const readStatus = (who: Person, v: Visibility) => (canRead(who, v) ? 200 : 404);
const writeStatus = (ok: number) => (who: Person, v: Visibility) => (!canRead(who, v) ? 404 : canWrite(who) ? ok : 403);
// Whoever may read a notebook may run it: a parameter name that is no identifier takes a reader to validation (400)
// without starting a run; anyone else learns nothing (404).
const runStatus = (who: Person, v: Visibility) => (canRead(who, v) ? 400 : 404);

const ROUTES: Array<[string, string, (id: string) => string, unknown, (who: Person, v: Visibility) => number]> = [
  ['read', 'GET', (id) => `/notebooks/${id}`, undefined, readStatus],
  ['list the versions of', 'GET', (id) => `/notebooks/${id}/versions`, undefined, readStatus],
  ['read version 1 of', 'GET', (id) => `/notebooks/${id}/versions/1`, undefined, readStatus],
  ['render', 'GET', (id) => `/notebooks/${id}/versions/1/html`, undefined, readStatus],
  ['read the parameters of', 'GET', (id) => `/notebooks/${id}/parameters`, undefined, readStatus],
  ['edit', 'PATCH', (id) => `/notebooks/${id}`, { description: 'edited' }, writeStatus(200)],
  ['commit to', 'POST', (id) => `/notebooks/${id}/versions`, { content: tinyNotebook('again') }, writeStatus(201)],
  ['get an upload URL for', 'POST', (id) => `/notebooks/${id}/uploads`, undefined, writeStatus(201)],
  [
    'run',
    'POST',
    (id) => `/notebooks/${id}/runs`,
    { parameters: { 'a b': 1 }, allowUnknownParameters: true },
    runStatus,
  ],
];

const signWithLocalKey = async (claims: Record<string, unknown>) => {
  const { signingKey } = JSON.parse(readFileSync(join(t.home, 'secrets.json'), 'utf8')) as { signingKey: JWK };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject('alice')
    .setExpirationTime('1h')
    .sign(await importJWK(signingKey, 'ES256'));
};

beforeAll(async () => {
  t = await startTestPlatform();
  for (const visibility of ['private', 'team', 'org'] as const) {
    notebooks[visibility] = (
      await t.api('POST', '/notebooks', t.tokens.alice, {
        title: `A ${visibility} notebook`,
        visibility,
        tags: ['m'],
        content: tinyNotebook(),
      })
    ).body.notebook.id;
  }
  const { privateKey } = await generateKeyPair('ES256');
  Object.assign(badTokens, {
    'no token': null,
    expired: await t.platform.users.tokenFor('alice', -60),
    'forged signature': await new SignJWT({ 'cognito:groups': ['orrery-admins'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('alice')
      .setIssuer('orrery-local')
      .setAudience('orrery')
      .setExpirationTime('1h')
      .sign(privateKey),
    'alg none': new UnsecuredJWT({ 'cognito:groups': ['orrery-admins'] })
      .setSubject('alice')
      .setIssuer('orrery-local')
      .setAudience('orrery')
      .setExpirationTime('1h')
      .encode(),
    'wrong audience': await signWithLocalKey({ iss: 'orrery-local', aud: 'someone-else' }),
    'wrong issuer': await signWithLocalKey({ iss: 'https://evil.example', aud: 'orrery' }),
  });
});
afterAll(async () => {
  await t?.close();
});

describe('who may do what, route by route', () => {
  for (const [what, method, path, body, expected] of ROUTES) {
    for (const visibility of ['private', 'team', 'org'] as const) {
      for (const who of PEOPLE) {
        const status = expected(who, visibility);
        it(`answers ${status} when ${who} tries to ${what} a ${visibility} notebook`, async () => {
          const res = await t.api(method, path(notebooks[visibility]), t.tokens[who], body);
          expect(res.status, res.text.slice(0, 300)).toBe(status);
          expect(res.headers.get('x-request-id')).toBeTruthy();
          if (res.headers.get('content-type')?.startsWith('application/json'))
            expect(res.headers.get('x-content-type-options')).toBe('nosniff');
          if (status >= 400)
            expect(res.body).toMatchObject({
              error: expect.any(String),
              message: expect.any(String),
              requestId: res.headers.get('x-request-id'),
            });
        });
      }
      for (const bad of BAD) {
        it(`answers 401 to ${bad} on ${method} ${what} a ${visibility} notebook`, async () => {
          const res = await t.api(method, path(notebooks[visibility]), badTokens[bad], body);
          expect(res.status).toBe(401);
          expect(res.body.error).toBe('unauthorized');
        });
      }
    }
  }

  for (const who of PEOPLE) {
    it(`lists for ${who} exactly the notebooks ${who} may read`, async () => {
      const res = await t.api('GET', '/notebooks?tag=m', t.tokens[who]);
      const expected = (['org', 'team', 'private'] as const).filter((v) => canRead(who, v)).map((v) => notebooks[v]);
      expect(res.body.items.map((n: { id: string }) => n.id)).toEqual(expected);
    });

    it(`lets ${who} archive only what ${who} may change`, async () => {
      for (const visibility of ['private', 'team', 'org'] as const) {
        const id = (
          await t.api('POST', '/notebooks', t.tokens.alice, {
            title: `Archive me ${who}`,
            visibility,
            content: tinyNotebook(),
          })
        ).body.notebook.id;
        const res = await t.api('DELETE', `/notebooks/${id}`, t.tokens[who]);
        expect(res.status, `${who} archiving a ${visibility} notebook`).toBe(writeStatus(200)(who, visibility));
        expect((await t.api('GET', `/notebooks/${id}`, t.tokens.alice)).body.archived).toBe(res.status === 200);
      }
    });
  }

  it('hides an archived notebook and its versions from everyone but owner and admins', async () => {
    const { body } = await t.api('POST', '/notebooks', t.tokens.alice, {
      title: 'To archive',
      visibility: 'org',
      content: tinyNotebook(),
    });
    const id = body.notebook.id;
    expect((await t.api('DELETE', `/notebooks/${id}`, t.tokens.alice)).body).toMatchObject({ archived: true });
    expect((await t.api('DELETE', `/notebooks/${id}`, t.tokens.alice)).status).toBe(200);
    for (const who of ['amir', 'bob'] as const) {
      expect((await t.api('GET', `/notebooks/${id}`, t.tokens[who])).status).toBe(404);
      expect((await t.api('GET', `/notebooks/${id}/versions/1/html`, t.tokens[who])).status).toBe(404);
    }
    for (const who of ['alice', 'root'] as const)
      expect((await t.api('GET', `/notebooks/${id}/versions/1`, t.tokens[who])).status).toBe(200);
    expect((await t.api('PATCH', `/notebooks/${id}`, t.tokens.alice, { title: 'x' })).status).toBe(409);
    expect(
      (await t.api('GET', '/notebooks', t.tokens.alice)).body.items.map((n: { id: string }) => n.id),
    ).not.toContain(id);
  });

  it('serves health and the API description without a token, and /me with one', async () => {
    expect((await t.api('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await t.api('GET', '/openapi.json')).status).toBe(200);
    expect((await t.api('GET', '/me')).status).toBe(401);
    expect((await t.api('GET', '/me', t.tokens.root)).body).toMatchObject({
      id: 'root',
      admin: true,
      teams: [],
      entitlements: { profiles: ['cpu-small', 'cpu-large-spot', 'gpu-t4', 'pyspark'] },
    });
    expect((await t.api('GET', '/me', t.tokens.amir)).body).toMatchObject({ id: 'amir', admin: false, teams: ['ads'] });
  });
});

describe('groups named to pass for others (a self-service IdP), through the local server', () => {
  // mallory joined groups named "Reporting, orrery-admins" and "Data Science"; dana is really in Science.
  const tokens: Record<'mallory' | 'dana', string> = { mallory: '', dana: '' };
  let science = '';

  beforeAll(async () => {
    t.platform.users.upsert('mallory', { teams: ['Reporting, orrery-admins', 'Data Science'] });
    t.platform.users.upsert('dana', { teams: ['Science'] });
    tokens.mallory = await t.platform.users.tokenFor('mallory');
    tokens.dana = await t.platform.users.tokenFor('dana');
    science = (
      await t.api('POST', '/notebooks', tokens.dana, {
        title: 'Science only',
        visibility: 'team',
        team: 'Science',
        content: tinyNotebook(),
      })
    ).body.notebook.id;
  });

  it('carries the hostile names whole in the token the local user directory makes', () => {
    // Prepare
    const payload = JSON.parse(Buffer.from(tokens.mallory.split('.')[1]!, 'base64url').toString('utf8'));

    // Act
    const groups = payload['cognito:groups'];

    // Assess
    expect(groups).toEqual(['Data Science', 'Reporting, orrery-admins']);
  });

  it('makes no admin of a member of "Reporting, orrery-admins"', async () => {
    // Prepare
    // Act
    const me = await t.api('GET', '/me', tokens.mallory);
    const usage = await t.api('GET', '/admin/usage', tokens.mallory);

    // Assess
    expect(me.body).toMatchObject({ id: 'mallory', admin: false, teams: [] });
    expect(usage.status).toBe(403);
  });

  it('keeps the team notebooks of "Science" from a member of "Data Science"', async () => {
    // Prepare
    // Act
    const mallory = await t.api('GET', `/notebooks/${science}`, tokens.mallory);
    const dana = await t.api('GET', `/notebooks/${science}`, tokens.dana);
    const listed = await t.api('GET', '/notebooks', tokens.mallory);

    // Assess
    expect([mallory.status, dana.status]).toEqual([404, 200]);
    expect(listed.body.items.map((n: { id: string }) => n.id)).not.toContain(science);
  });
});

describe.skipIf(!jupyterKernelAvailable())(
  'who may see a run of an org notebook: its starter, the notebook owner and admins',
  () => {
    // bob runs alice's org notebook with his own parameters; amir may read and run the notebook, not bob's run.
    const readers = new Set<Person>(['alice', 'bob', 'root']);
    let notebook = '';
    let run = '';

    beforeAll(async () => {
      notebook = (
        await t.api('POST', '/notebooks', t.tokens.alice, {
          title: 'Org report',
          visibility: 'org',
          content: tinyNotebook(),
        })
      ).body.notebook.id;
      run = (await t.api('POST', `/notebooks/${notebook}/runs`, t.tokens.bob, { parameters: { n: 7 } })).body.id;
      await waitForRun(t, run, t.tokens.bob);
    }, 90_000);

    const RUN_ROUTES: Array<[string, string, (id: string) => string, unknown, number]> = [
      ['read', 'GET', (id) => `/runs/${id}`, undefined, 200],
      ['download the output of', 'GET', (id) => `/runs/${id}/output`, undefined, 200],
      ['render the output of', 'GET', (id) => `/runs/${id}/output/html`, undefined, 200],
      // The run has ended: a reader is told so (409), anyone else learns nothing (404).
      ['cancel', 'POST', (id) => `/runs/${id}/cancel`, undefined, 409],
      // A parameter name that is no identifier: a reader reaches validation (400) without starting a run.
      [
        'rerun',
        'POST',
        (id) => `/runs/${id}/rerun`,
        { parameters: { 'not a name': 1 }, allowUnknownParameters: true },
        400,
      ],
    ];

    for (const [what, method, path, body, allowed] of RUN_ROUTES) {
      for (const who of PEOPLE) {
        const status = readers.has(who) ? allowed : 404;
        it(`answers ${status} when ${who} tries to ${what} bob's run`, async () => {
          // Prepare
          // Act
          const res = await t.api(method, path(run), t.tokens[who], body);

          // Assess
          expect(res.status, res.text.slice(0, 300)).toBe(status);
          if (status === 404) expect(res.text).not.toContain('"n"');
        });
      }
    }

    for (const who of PEOPLE) {
      it(`lists bob's run to ${who} under every filter only if ${who} may read it`, async () => {
        // Prepare
        const queries = [
          `?owner=bob`,
          `?notebook=${notebook}`,
          `?notebook=${notebook}&owner=bob`,
          `?owner=bob&status=COMPLETED`,
        ];

        // Act
        const pages = await Promise.all(queries.map((q) => t.api('GET', `/runs${q}`, t.tokens[who])));

        // Assess
        for (const page of pages) {
          expect(page.status).toBe(200);
          expect(page.body.items.map((r: { id: string }) => r.id).includes(run)).toBe(readers.has(who));
        }
      });
    }

    it("shows amir his own runs of the same notebook, and no one else's parameters", async () => {
      // Prepare
      const own = (await t.api('POST', `/notebooks/${notebook}/runs`, t.tokens.amir, { parameters: { n: 9 } })).body.id;

      // Act
      const listed = await t.api('GET', `/runs?notebook=${notebook}`, t.tokens.amir);
      const byAlice = await t.api('GET', `/runs?notebook=${notebook}`, t.tokens.alice);

      // Assess
      expect(listed.body.items.map((r: { id: string; parameters: unknown }) => [r.id, r.parameters])).toEqual([
        [own, { n: 9 }],
      ]);
      expect(byAlice.body.items.map((r: { id: string }) => r.id)).toEqual([own, run]);
      await t.api('POST', `/runs/${own}/cancel`, t.tokens.amir);
      await waitForRun(t, own, t.tokens.amir);
    }, 90_000);

    it("lets amir run alice's team notebook as himself; bob sees neither it nor the notebook", async () => {
      // Prepare
      const body = { title: 'Team report', visibility: 'team', content: tinyNotebook() };
      const team = (await t.api('POST', '/notebooks', t.tokens.alice, body)).body.notebook.id;

      // Act
      const started = await t.api('POST', `/notebooks/${team}/runs`, t.tokens.amir, { parameters: { n: 3 } });
      const byBob = await t.api('POST', `/notebooks/${team}/runs`, t.tokens.bob, { parameters: { n: 3 } });
      const seenBy = async (who: Person) => [
        who,
        (await t.api('GET', `/runs/${started.body.id}`, t.tokens[who])).status,
      ];
      const seen = await Promise.all(PEOPLE.map(seenBy));

      // Assess
      expect(started.status, started.text.slice(0, 300)).toBe(202);
      expect(started.body).toMatchObject({ owner: 'amir', notebookId: team, parameters: { n: 3 } });
      expect(byBob.status).toBe(404);
      expect(Object.fromEntries(seen)).toEqual({ alice: 200, amir: 200, bob: 404, root: 200 });
      await t.api('POST', `/runs/${started.body.id}/cancel`, t.tokens.amir);
      await waitForRun(t, started.body.id, t.tokens.amir);
    }, 90_000);
  },
);
