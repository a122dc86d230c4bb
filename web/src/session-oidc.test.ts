import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  beginOidcSignIn,
  completeOidcSignIn,
  readSession,
  writeSession,
  type KeyValueStore,
  type OidcFetch,
} from './session.ts';

// The real sign-in code (oauth4webapi included) against a fake OpenID provider reached through an injected fetch.

const ISSUER = 'https://idp.test';
const CLIENT_ID = 'portal-client';
const ORIGIN = 'https://portal.test';

interface Keys {
  provider: CryptoKey;
  other: CryptoKey;
  jwk: Record<string, unknown>;
}

/** What the provider puts in the next ID token instead of the right values (a forged or mixed-up answer). */
interface Tamper {
  nonce?: string;
  aud?: string;
  key?: CryptoKey;
}

interface Grant {
  challenge: string;
  redirectUri: string;
  clientId: string;
  nonce: string;
}

const memoryStore = (): KeyValueStore & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const s256 = async (verifier: string) =>
  Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))).toString('base64url');

const fakeProvider = (keys: Keys) => {
  const grants = new Map<string, Grant>();
  const seen: string[] = [];
  let tamper: Tamper = {};
  let issued = 0;

  const token = async (form: URLSearchParams) => {
    const grant = grants.get(form.get('code') ?? '');
    grants.delete(form.get('code') ?? '');
    const refuse = (why: string) => json({ error: 'invalid_grant', error_description: why }, 400);
    if (form.get('grant_type') !== 'authorization_code') return json({ error: 'unsupported_grant_type' }, 400);
    if (!grant) return refuse('unknown or used code');
    if (form.get('redirect_uri') !== grant.redirectUri || form.get('client_id') !== grant.clientId)
      return refuse('redirect_uri or client_id differ from the authorization request');
    if ((await s256(form.get('code_verifier') ?? '')) !== grant.challenge)
      return refuse('code_verifier does not match code_challenge');
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({ nonce: tamper.nonce ?? grant.nonce })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(tamper.aud ?? grant.clientId)
      .setSubject('user-42')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(tamper.key ?? keys.provider);
    return json({ access_token: 'opaque-access', token_type: 'Bearer', expires_in: 3600, id_token: idToken });
  };

  const fetch: OidcFetch = async (url, init) => {
    const { origin, pathname } = new URL(url);
    seen.push(pathname);
    if (origin !== ISSUER) return json({ error: 'wrong host' }, 404);
    if (pathname === '/.well-known/openid-configuration')
      return json({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
        jwks_uri: `${ISSUER}/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (pathname === '/jwks') return json({ keys: [keys.jwk] });
    if (pathname === '/token' && init.method === 'POST') return token(new URLSearchParams(String(init.body)));
    return json({ error: 'not found' }, 404);
  };

  /** The user approves at the authorization endpoint: the provider keeps the request, redirects with a fresh code. */
  const authorize = (authorizationUrl: URL): URL => {
    const q = authorizationUrl.searchParams;
    const code = `code-${++issued}`;
    grants.set(code, {
      challenge: q.get('code_challenge') ?? '',
      redirectUri: q.get('redirect_uri') ?? '',
      clientId: q.get('client_id') ?? '',
      nonce: q.get('nonce') ?? '',
    });
    const callback = new URL(q.get('redirect_uri') ?? '');
    callback.searchParams.set('code', code);
    callback.searchParams.set('state', q.get('state') ?? '');
    return callback;
  };

  return {
    fetch,
    authorize,
    seen,
    tamperNext: (t: Tamper) => {
      tamper = t;
    },
    tokenCalls: () => seen.filter((p) => p === '/token').length,
  };
};

const config = { mode: 'oidc' as const, issuer: ISSUER, clientId: CLIENT_ID, scope: 'openid profile' };

// What the callback page and the session context do with the result: keep the session only when sign-in succeeded.
const finishAtCallback = async (store: KeyValueStore, callback: URL, fetchImpl: OidcFetch) => {
  const result = await completeOidcSignIn(config, store, callback, fetchImpl);
  writeSession(store, result.session);
  return result;
};

describe('OIDC sign-in against a provider', () => {
  let keys: Keys;

  beforeAll(async () => {
    const provider = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    keys = {
      provider: provider.privateKey,
      other: other.privateKey,
      jwk: { ...(await exportJWK(provider.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' },
    };
  });

  it('signs in through discovery with code, PKCE S256 and nonce, and comes back to the next page with the ID token as bearer', async () => {
    // Prepare
    const idp = fakeProvider(keys);
    const store = memoryStore();
    // Act
    const authorizationUrl = await beginOidcSignIn(config, store, ORIGIN, '/runs?status=FAILED', idp.fetch);
    const { session, next } = await finishAtCallback(store, idp.authorize(authorizationUrl), idp.fetch);
    // Assess
    const q = Object.fromEntries(authorizationUrl.searchParams);
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${ISSUER}/authorize`);
    expect(q).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${ORIGIN}/auth/callback`,
      scope: 'openid profile',
      code_challenge_method: 'S256',
    });
    expect(q.state).toMatch(/^[\w-]{20,}$/);
    expect(q.nonce).toMatch(/^[\w-]{20,}$/);
    expect(idp.seen).toEqual([
      '/.well-known/openid-configuration',
      '/.well-known/openid-configuration',
      '/token',
      '/jwks',
    ]);
    expect(session).toMatchObject({ mode: 'oidc', user: 'user-42' });
    expect(session.token).toBe(session.idToken);
    expect(session.token.split('.')).toHaveLength(3);
    expect(session.expiresAt).toBeGreaterThan(Date.now());
    expect(next).toBe('/runs?status=FAILED');
    expect(readSession(store, Date.now())?.token).toBe(session.token);
  });

  it('is refused by the provider when the verifier is not the one whose challenge was sent', async () => {
    // Prepare
    const idp = fakeProvider(keys);
    const store = memoryStore();
    const callback = idp.authorize(await beginOidcSignIn(config, store, ORIGIN, '/', idp.fetch));
    const pending = JSON.parse(store.map.get('orrery.oidc.pending') ?? '{}') as Record<string, string>;
    store.setItem('orrery.oidc.pending', JSON.stringify({ ...pending, verifier: 'x'.repeat(43) }));
    // Act
    const error = await finishAtCallback(store, callback, idp.fetch).catch((err: unknown) => err);
    // Assess
    expect((error as Error).message).toMatch(/refused the sign-in code: code_verifier does not match code_challenge/);
    expect(store.map.size).toBe(0);
  });

  const refusals: { name: string; tamper: (k: Keys) => Tamper; message: RegExp }[] = [
    {
      name: 'refuses an ID token with the wrong nonce',
      tamper: () => ({ nonce: 'another-sign-in' }),
      message: /ID token was refused: .*"nonce"/,
    },
    {
      name: 'refuses an ID token signed by another key',
      tamper: (k) => ({ key: k.other }),
      message: /ID token was refused: JWT signature verification failed/,
    },
    {
      name: 'refuses an ID token for another audience',
      tamper: () => ({ aud: 'some-other-client' }),
      message: /ID token was refused: .*"aud"/,
    },
  ];

  for (const { name, tamper, message } of refusals) {
    it(`${name}, and keeps no session`, async () => {
      // Prepare
      const idp = fakeProvider(keys);
      const store = memoryStore();
      const callback = idp.authorize(await beginOidcSignIn(config, store, ORIGIN, '/runs', idp.fetch));
      idp.tamperNext(tamper(keys));
      // Act
      const error = await finishAtCallback(store, callback, idp.fetch).catch((err: unknown) => err);
      // Assess
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      expect(idp.tokenCalls()).toBe(1);
      expect(readSession(store, Date.now())).toBeNull();
      expect(store.map.size).toBe(0);
    });
  }

  it('refuses a callback whose state was already used, in the same tab or another, without asking the provider again', async () => {
    // Prepare
    const idp = fakeProvider(keys);
    const store = memoryStore();
    const callback = idp.authorize(await beginOidcSignIn(config, store, ORIGIN, '/', idp.fetch));
    const first = await finishAtCallback(store, callback, idp.fetch);
    const otherTab = memoryStore();
    // Act
    const again = await finishAtCallback(store, callback, idp.fetch).catch((err: unknown) => err);
    const elsewhere = await finishAtCallback(otherTab, callback, idp.fetch).catch((err: unknown) => err);
    // Assess
    expect((again as Error).message).toMatch(/not started in this tab, or was already finished/);
    expect((elsewhere as Error).message).toMatch(/not started in this tab, or was already finished/);
    expect(idp.tokenCalls()).toBe(1);
    expect(readSession(store, Date.now())?.token).toBe(first.session.token);
    expect(otherTab.map.size).toBe(0);
  });
});
