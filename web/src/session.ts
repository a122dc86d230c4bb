import type * as OAuth from 'oauth4webapi';
import type { OidcAuthConfig } from './api-client.ts';

/** A signed-in session: the bearer token the API takes, whose it is, and when it stops working. */
export interface Session {
  mode: 'local' | 'oidc';
  token: string;
  /** The user id as the sign-in reported it; the header shows `/me`'s id once loaded. */
  user: string;
  /** Milliseconds since the epoch from the token's `exp`, or null when it has none. */
  expiresAt: number | null;
  /** The OIDC id token, kept only to hint the IdP's logout. */
  idToken?: string;
}

/** The small part of the Web Storage API sessions use (so tests can pass a Map-backed fake). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const SESSION_KEY = 'orrery.session';
const PENDING_KEY = 'orrery.oidc.pending';
// Expire a little early so a request is never sent with a token that dies on the way.
const EXPIRY_MARGIN_MS = 15_000;
// setTimeout fires at once for delays past 2^31-1 ms; re-arming later covers long-lived tokens.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Where to go after sign-in: only a same-origin path (`/runs?status=FAILED`), never `//host`, `/\host`,
 * a scheme or anything else the browser would resolve to another origin; the login and callback pages fall back to `/`.
 */
export const safeNextPath = (next: string | null | undefined): string => {
  if (!next?.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, 'https://portal.invalid');
  } catch {
    return '/';
  }
  if (url.origin !== 'https://portal.invalid') return '/';
  if (url.pathname === '/login' || url.pathname.startsWith('/auth/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
};

/** The sign-in page's address that brings you back to `path` afterwards. */
export const loginPathFor = (path: string): string => {
  const next = safeNextPath(path);
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
};

/** The token's `exp` in milliseconds, read without verifying anything: it only schedules the return to sign-in. */
export const tokenExpiry = (token: string): number | null => {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
};

/** Whether a session can still be used at `now` (the margin included). */
export const isLive = (session: Session, now: number): boolean =>
  session.expiresAt === null || session.expiresAt - EXPIRY_MARGIN_MS > now;

/** The timer functions expiry scheduling uses; tests pass a fake clock. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Browser timers. */
export const BROWSER_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Calls `onExpire` once the session's token is (nearly) expired; returns a function that cancels the timer. */
export const scheduleExpiry = (
  session: Session,
  onExpire: () => void,
  timers: Timers = BROWSER_TIMERS,
): (() => void) => {
  if (session.expiresAt === null) return () => {};
  const expiresAt = session.expiresAt;
  let handle: unknown = null;
  const arm = () => {
    const wait = expiresAt - EXPIRY_MARGIN_MS - timers.now();
    if (wait <= 0) {
      handle = null;
      onExpire();
      return;
    }
    handle = timers.setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
  };
  arm();
  return () => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = null;
  };
};

/** Reads the kept session, dropping one that has expired or is unreadable. */
export const readSession = (store: KeyValueStore, now: number): Session | null => {
  const raw = store.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (typeof session.token === 'string' && typeof session.user === 'string' && isLive(session, now)) return session;
  } catch {
    // A damaged entry is the same as none.
  }
  store.removeItem(SESSION_KEY);
  return null;
};

/** Keeps a session for later page loads. */
export const writeSession = (store: KeyValueStore, session: Session): void =>
  store.setItem(SESSION_KEY, JSON.stringify(session));

/** Forgets the session. */
export const clearSession = (store: KeyValueStore): void => store.removeItem(SESSION_KEY);

/** A local-mode session from a token (the login link's exchange, or one pasted from `npm run token`). */
export const localSession = (token: string, user?: string): Session => {
  const trimmed = token.trim().replace(/^Bearer\s+/i, '');
  const sub = user ?? subjectOf(trimmed) ?? 'unknown';
  return { mode: 'local', token: trimmed, user: sub, expiresAt: tokenExpiry(trimmed) };
};

const subjectOf = (token: string): string | null => {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims = JSON.parse(
      atob(
        payload
          .replace(/-/g, '+')
          .replace(/_/g, '/')
          .padEnd(Math.ceil(payload.length / 4) * 4, '='),
      ),
    ) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
};

/** Whether a pasted string looks like a JWT at all (three base64url parts), before the API is asked. */
export const looksLikeJwt = (token: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token.trim().replace(/^Bearer\s+/i, ''));

/** What an authorization request left behind for its callback: one use only. */
export interface PendingSignIn {
  state: string;
  verifier: string;
  nonce: string;
  next: string;
}

/** Keeps a pending sign-in in the tab's sessionStorage. */
export const savePending = (store: KeyValueStore, pending: PendingSignIn): void =>
  store.setItem(PENDING_KEY, JSON.stringify(pending));

/** Takes (and removes) the pending sign-in, so a callback URL can never be replayed in this tab. */
export const takePending = (store: KeyValueStore): PendingSignIn | null => {
  const raw = store.getItem(PENDING_KEY);
  store.removeItem(PENDING_KEY);
  if (!raw) return null;
  try {
    const p = JSON.parse(raw) as Partial<PendingSignIn>;
    if (typeof p.state === 'string' && typeof p.verifier === 'string' && typeof p.nonce === 'string')
      return { state: p.state, verifier: p.verifier, nonce: p.nonce, next: safeNextPath(p.next) };
  } catch {
    // Damaged: treat as missing.
  }
  return null;
};

// Loaded on first use: local mode never needs it, and the first page stays smaller.
const oidcLibrary = () => import('oauth4webapi');

/** The fetch the OIDC calls use; tests pass a fake identity provider's, the browser none (the global fetch). */
export type OidcFetch = (url: string, init: RequestInit) => Promise<Response>;

const transport = (oauth: typeof OAuth, fetchImpl: OidcFetch | undefined) =>
  fetchImpl ? { [oauth.customFetch]: fetchImpl } : {};

/** The OIDC redirect URI of this portal. */
export const redirectUriFor = (origin: string): string => `${origin}/auth/callback`;

/** The authorization server: the configured endpoints, or discovery from the issuer when they are absent. */
export const authorizationServer = async (
  config: OidcAuthConfig,
  fetchImpl?: OidcFetch,
): Promise<OAuth.AuthorizationServer> => {
  const oauth = await oidcLibrary();
  if (config.authorizationEndpoint && config.tokenEndpoint) {
    return {
      issuer: config.issuer,
      authorization_endpoint: config.authorizationEndpoint,
      token_endpoint: config.tokenEndpoint,
      end_session_endpoint: config.logoutEndpoint,
    };
  }
  const issuer = new URL(config.issuer);
  const as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...transport(oauth, fetchImpl) }),
  );
  return config.logoutEndpoint ? { ...as, end_session_endpoint: config.logoutEndpoint } : as;
};

/**
 * Starts authorization code + PKCE: keeps state, verifier, nonce and `next` in sessionStorage; returns the IdP URL to
 * go to.
 */
export const beginOidcSignIn = async (
  config: OidcAuthConfig,
  store: KeyValueStore,
  origin: string,
  next: string,
  fetchImpl?: OidcFetch,
): Promise<URL> => {
  const oauth = await oidcLibrary();
  const as = await authorizationServer(config, fetchImpl);
  if (!as.authorization_endpoint) throw new Error(`the issuer ${config.issuer} names no authorization endpoint`);
  const pending: PendingSignIn = {
    state: oauth.generateRandomState(),
    verifier: oauth.generateRandomCodeVerifier(),
    nonce: oauth.generateRandomNonce(),
    next: safeNextPath(next),
  };
  savePending(store, pending);
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUriFor(origin));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope ?? 'openid email profile');
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  return url;
};

/**
 * Finishes sign-in at `/auth/callback`: checks state, swaps the code (with the verifier) for tokens and
 * returns the session and where to go. The bearer is the ID token: the API's JWT authorizer checks
 * `aud` = the client id, which Cognito puts in ID tokens only (its access tokens carry `client_id`, no `aud`).
 */
export const completeOidcSignIn = async (
  config: OidcAuthConfig,
  store: KeyValueStore,
  callbackUrl: URL,
  fetchImpl?: OidcFetch,
): Promise<{ session: Session; next: string }> => {
  const pending = takePending(store);
  if (!pending) throw new Error('This sign-in was not started in this tab, or was already finished. Sign in again.');
  const oauth = await oidcLibrary();
  const as = await authorizationServer(config, fetchImpl);
  const client: OAuth.Client = { client_id: config.clientId };
  const http = transport(oauth, fetchImpl);
  const params = oauth.validateAuthResponse(as, client, callbackUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUriFor(callbackUrl.origin),
    pending.verifier,
    http,
  );
  const { claims, idToken } = await checkedIdToken(oauth, as, client, response, pending.nonce, http);
  const user = typeof claims.email === 'string' ? claims.email : claims.sub;
  return { session: { mode: 'oidc', token: idToken, idToken, user, expiresAt: claims.exp * 1000 }, next: pending.next };
};

// oauth4webapi checks iss, aud, exp, iat and nonce but leaves the signature to TLS (OIDC Core 3.1.3.7);
// the issuer's JWKS is checked too when discovery names it, so a forged token never becomes the session.
const checkedIdToken = async (
  oauth: typeof OAuth,
  as: OAuth.AuthorizationServer,
  client: OAuth.Client,
  response: Response,
  nonce: string,
  http: object,
) => {
  try {
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (!result.id_token || !claims) throw new Error('no ID token in the answer');
    if (as.jwks_uri) await oauth.validateApplicationLevelSignature(as, response, http);
    return { claims, idToken: result.id_token };
  } catch (err) {
    if (err instanceof oauth.ResponseBodyError)
      throw new Error(
        `The identity provider refused the sign-in code: ${err.error_description ?? err.error}. Sign in again.`,
        { cause: err },
      );
    throw new Error(`The identity provider's ID token was refused: ${(err as Error).message}. Sign in again.`, {
      cause: err,
    });
  }
};

/** The IdP's logout URL, if configured (Cognito reads `logout_uri`, standard OIDC `post_logout_redirect_uri`). */
export const logoutUrl = (config: OidcAuthConfig, origin: string): URL | null => {
  if (!config.logoutEndpoint) return null;
  const url = new URL(config.logoutEndpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('logout_uri', `${origin}/login`);
  url.searchParams.set('post_logout_redirect_uri', `${origin}/login`);
  return url;
};
