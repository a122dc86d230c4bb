import { describe, expect, it } from 'vitest';
import {
  beginOidcSignIn,
  completeOidcSignIn,
  isLive,
  localSession,
  loginPathFor,
  logoutUrl,
  readSession,
  safeNextPath,
  savePending,
  scheduleExpiry,
  takePending,
  tokenExpiry,
  writeSession,
  type KeyValueStore,
  type Session,
  type Timers,
} from './session.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'RS256' })}.${b64url(claims)}.c2lnbmF0dXJl`;

const memoryStore = (): KeyValueStore & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
};

const fakeClock = (start: number) => {
  let now = start;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const t: Timers & { advance(ms: number): void; pending(): number } = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((x) => x.id !== id);
    },
    advance: (ms) => {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((x) => x !== due);
        now = due.at;
        due.fn();
      }
      now = end;
    },
    pending: () => timers.length,
  };
  return t;
};

describe('safeNextPath', () => {
  it('keeps same-origin paths with their query and fragment', () => {
    // Prepare
    const paths = ['/runs?status=FAILED', '/notebooks/nb-12345678', '/', '/runs#top'];
    // Act
    const kept = paths.map(safeNextPath);
    // Assess
    expect(kept).toEqual(paths);
  });

  it('refuses anything that could leave the origin and falls back to /', () => {
    // Prepare
    const hostile = [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      'evil.example',
      '/\t/evil.example',
      '',
      null,
      undefined,
      '\\\\evil',
      '/%0a/evil'.replace('%0a', '\n'),
    ];
    // Act
    const results = hostile.map(safeNextPath);
    // Assess
    expect(results).toEqual(hostile.map(() => '/'));
  });

  it('does not send you back to the sign-in pages', () => {
    // Prepare
    const loops = ['/login', '/login?next=%2Fruns', '/auth/callback?code=x'];
    // Act
    const results = loops.map(safeNextPath);
    // Assess
    expect(results).toEqual(['/', '/', '/']);
  });

  it('builds the sign-in address that returns to the page', () => {
    // Prepare
    const here = '/runs?status=FAILED';
    // Act
    const [back, home, evil] = [loginPathFor(here), loginPathFor('/'), loginPathFor('//evil.example')];
    // Assess
    expect(back).toBe('/login?next=%2Fruns%3Fstatus%3DFAILED');
    expect(home).toBe('/login');
    expect(evil).toBe('/login');
  });
});

describe('token expiry', () => {
  it('reads exp from the payload in milliseconds, and null when absent or unreadable', () => {
    // Prepare
    const tokens = [jwt({ sub: 'alice', exp: 1_700_000_000 }), jwt({ sub: 'alice' }), 'not-a-jwt', 'a.%%%.b'];
    // Act
    const expiries = tokens.map(tokenExpiry);
    // Assess
    expect(expiries).toEqual([1_700_000_000_000, null, null, null]);
  });

  it('calls back 15 seconds before exp and not earlier', () => {
    // Prepare
    const clock = fakeClock(1_000_000);
    const session: Session = { mode: 'local', token: 't', user: 'alice', expiresAt: 1_000_000 + 60_000 };
    let expired = 0;
    // Act
    scheduleExpiry(session, () => expired++, clock);
    clock.advance(44_999);
    const before = expired;
    clock.advance(1);
    // Assess
    expect(before).toBe(0);
    expect(expired).toBe(1);
  });

  it('calls back at once for a session already past its time, and never after cancel', () => {
    // Prepare
    const clock = fakeClock(5_000_000);
    let late = 0;
    let cancelled = 0;
    // Act
    scheduleExpiry({ mode: 'local', token: 't', user: 'a', expiresAt: 5_000_000 }, () => late++, clock);
    const cancel = scheduleExpiry(
      { mode: 'local', token: 't', user: 'a', expiresAt: 5_000_000 + 120_000 },
      () => cancelled++,
      clock,
    );
    cancel();
    clock.advance(600_000);
    // Assess
    expect(late).toBe(1);
    expect(cancelled).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('re-arms past the longest browser timer for a token that lives for weeks', () => {
    // Prepare
    const clock = fakeClock(0);
    const fourWeeks = 28 * 24 * 3600 * 1000;
    let expired = 0;
    // Act
    scheduleExpiry({ mode: 'local', token: 't', user: 'a', expiresAt: fourWeeks }, () => expired++, clock);
    clock.advance(2_147_483_647);
    const early = expired;
    clock.advance(fourWeeks);
    // Assess
    expect(early).toBe(0);
    expect(expired).toBe(1);
  });

  it('keeps no timer for a token without exp', () => {
    // Prepare
    const clock = fakeClock(0);
    // Act
    scheduleExpiry({ mode: 'local', token: 't', user: 'a', expiresAt: null }, () => {}, clock);
    // Assess
    expect(clock.pending()).toBe(0);
  });
});

describe('kept sessions', () => {
  it('reads a live session back and drops an expired or damaged one', () => {
    // Prepare
    const store = memoryStore();
    const live = localSession(jwt({ sub: 'alice', exp: 2_000 }));
    // Act
    writeSession(store, live);
    const read = readSession(store, 1_000_000);
    const late = readSession(store, 1_990_000);
    store.setItem('orrery.session', '{not json');
    const damaged = readSession(store, 0);
    // Assess
    expect(read).toEqual({ mode: 'local', token: live.token, user: 'alice', expiresAt: 2_000_000 });
    expect(late).toBeNull();
    expect(damaged).toBeNull();
    expect(store.map.size).toBe(0);
  });

  it('takes a pasted token with or without the Bearer prefix, and its user from sub', () => {
    // Prepare
    const token = jwt({ sub: 'bob', exp: 10 });
    // Act
    const s = localSession(`  Bearer ${token}\n`);
    // Assess
    expect(s).toEqual({ mode: 'local', token, user: 'bob', expiresAt: 10_000 });
    expect(isLive(s, 0)).toBe(false);
  });
});

describe('pending OIDC sign-in', () => {
  it('can be taken once only', () => {
    // Prepare
    const store = memoryStore();
    savePending(store, { state: 's', verifier: 'v', nonce: 'n', next: '/runs' });
    // Act
    const first = takePending(store);
    const second = takePending(store);
    // Assess
    expect(first).toEqual({ state: 's', verifier: 'v', nonce: 'n', next: '/runs' });
    expect(second).toBeNull();
  });

  it('cleans a tampered next path when taken', () => {
    // Prepare
    const store = memoryStore();
    store.setItem(
      'orrery.oidc.pending',
      JSON.stringify({ state: 's', verifier: 'v', nonce: 'n', next: '//evil.example' }),
    );
    // Act
    const pending = takePending(store);
    // Assess
    expect(pending?.next).toBe('/');
  });

  it('builds the IdP logout URL only when a logout endpoint is configured', () => {
    // Prepare
    const base = { mode: 'oidc' as const, issuer: 'https://idp.example', clientId: 'abc' };
    // Act
    const none = logoutUrl(base, 'https://portal.example');
    const url = logoutUrl({ ...base, logoutEndpoint: 'https://auth.example/logout' }, 'https://portal.example');
    // Assess
    expect(none).toBeNull();
    expect(url?.searchParams.get('client_id')).toBe('abc');
    expect(url?.searchParams.get('logout_uri')).toBe('https://portal.example/login');
  });
});

describe('authorization code with PKCE', () => {
  const config = {
    mode: 'oidc' as const,
    issuer: 'https://idp.example',
    clientId: 'client-1',
    authorizationEndpoint: 'https://idp.example/authorize',
    tokenEndpoint: 'https://idp.example/token',
  };

  it('sends the S256 challenge of the kept verifier with the kept state and the callback redirect', async () => {
    // Prepare
    const store = memoryStore();
    // Act
    const url = await beginOidcSignIn(config, store, 'https://portal.example', '/runs?status=FAILED');
    const pending = JSON.parse(store.map.get('orrery.oidc.pending') ?? '{}') as {
      state: string;
      verifier: string;
      nonce: string;
      next: string;
    };
    const challenge = Buffer.from(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pending.verifier)),
    ).toString('base64url');
    // Assess
    expect(url.origin + url.pathname).toBe('https://idp.example/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'client-1',
      response_type: 'code',
      redirect_uri: 'https://portal.example/auth/callback',
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      scope: 'openid email profile',
    });
    expect(url.searchParams.get('code_challenge')).toBe(challenge);
    expect(pending.next).toBe('/runs?status=FAILED');
  });

  it('refuses a callback whose state is not the one this tab sent, and forgets the pending sign-in', async () => {
    // Prepare
    const store = memoryStore();
    await beginOidcSignIn(config, store, 'https://portal.example', '/');
    // Act
    const error = await completeOidcSignIn(
      config,
      store,
      new URL('https://portal.example/auth/callback?code=abc&state=forged'),
    ).catch((err: unknown) => err);
    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(store.map.has('orrery.oidc.pending')).toBe(false);
  });

  it('refuses a callback when no sign-in was started in this tab', async () => {
    // Prepare
    const store = memoryStore();
    // Act
    const error = await completeOidcSignIn(
      config,
      store,
      new URL('https://portal.example/auth/callback?code=abc&state=s'),
    ).catch((err: unknown) => err);
    // Assess
    expect((error as Error).message).toMatch(/not started in this tab/);
  });
});
