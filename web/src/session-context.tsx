import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { ApiClient, ApiError, loadPortalConfig, type Me, type PortalConfig } from './api-client.ts';
import {
  clearSession,
  loginPathFor,
  logoutUrl,
  readSession,
  scheduleExpiry,
  writeSession,
  type KeyValueStore,
  type Session,
} from './session.ts';

/** Where the portal is in signing in. */
export type SessionStatus = 'loading' | 'signed-out' | 'signed-in' | 'error';

/** What every page can know about the session, and the two things it can do with it. */
export interface SessionValue {
  status: SessionStatus;
  config: PortalConfig | null;
  /** The signed-in user's id (`/me`), or the sign-in's own id until `/me` answers. */
  user: string | null;
  admin: boolean;
  me: Me | null;
  /** Why the portal cannot start (config unreadable, `/me` failing), when status is 'error'. */
  error: ApiError | Error | null;
  /** Set when the last session ended by itself (expiry or a 401), so sign-in can say so. */
  expired: boolean;
  /** Set after Sign out, so the signed-out redirect goes to plain `/login` rather than back to the page. */
  signedOut: boolean;
  api: ApiClient | null;
  signIn(session: Session): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<SessionValue | null>(null);

// OIDC tokens stay in this tab only; a local token outlives the tab like the CLI's does.
const storeFor = (config: PortalConfig): KeyValueStore => (config.auth.mode === 'oidc' ? sessionStorage : localStorage);
const here = () => `${location.pathname}${location.search}${location.hash}`;
const onSignInPages = () => location.pathname === '/login' || location.pathname.startsWith('/auth/');

/** Loads `/config.json`, keeps the session and the API client, and sends you to sign-in when the session ends. */
export const SessionProvider = ({ children }: { children: ReactNode }) => {
  const navigate = useNavigate();
  const [config, setConfig] = useState<PortalConfig | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [me, setMe] = useState<Me | null>(null);
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [expired, setExpired] = useState(false);
  const [signedOut, setSignedOut] = useState(false);
  const tokenRef = useRef<string | null>(null);

  const end = useCallback(
    (why: 'expired' | 'signed-out') => {
      if (config) clearSession(storeFor(config));
      tokenRef.current = null;
      setSession(null);
      setMe(null);
      setStatus('signed-out');
      setExpired(why === 'expired');
      setSignedOut(why === 'signed-out');
      if (why === 'expired' && !onSignInPages()) navigate(loginPathFor(here()), { replace: true });
    },
    [config, navigate],
  );

  const api = useMemo(
    () =>
      config
        ? new ApiClient({
            apiUrl: config.apiUrl,
            getToken: () => tokenRef.current,
            onUnauthorized: () => (tokenRef.current ? end('expired') : undefined),
          })
        : null,
    [config, end],
  );

  // Checks a session with /me; `strict` (a fresh sign-in) throws any failure to the sign-in page instead.
  const start = useCallback(
    async (client: ApiClient, s: Session, strict: boolean) => {
      tokenRef.current = s.token;
      setSession(s);
      setStatus('loading');
      try {
        setMe(await client.me());
        setStatus('signed-in');
        setExpired(false);
        setSignedOut(false);
      } catch (err) {
        if (strict) {
          end('signed-out');
          throw err;
        }
        // A 401 already ended the session through onUnauthorized.
        if (err instanceof ApiError && err.status === 401) return;
        setError(err as Error);
        setStatus('error');
      }
    },
    [end],
  );

  useEffect(() => {
    let live = true;
    loadPortalConfig()
      .then((c) => {
        if (!live) return;
        setConfig(c);
        const kept = readSession(storeFor(c), Date.now());
        if (!kept) setStatus('signed-out');
        else setSession(kept);
      })
      .catch((err: Error) => {
        if (!live) return;
        setError(err);
        setStatus('error');
      });
    return () => {
      live = false;
    };
  }, []);

  // A kept session found at load is checked with /me once the client exists.
  useEffect(() => {
    if (api && session && !me && tokenRef.current === null) void start(api, session, false);
  }, [api, session, me, start]);

  useEffect(() => (session ? scheduleExpiry(session, () => end('expired')) : undefined), [session, end]);

  const signIn = useCallback(
    async (s: Session) => {
      if (!config || !api) throw new Error('the portal is still loading its configuration');
      await start(api, s, true);
      writeSession(storeFor(config), s);
    },
    [config, api, start],
  );

  const signOut = useCallback(() => {
    const url = config?.auth.mode === 'oidc' ? logoutUrl(config.auth, location.origin) : null;
    end('signed-out');
    if (url) location.assign(url.toString());
    else navigate('/login', { replace: true });
  }, [config, end, navigate]);

  const value = useMemo<SessionValue>(
    () => ({
      status,
      config,
      user: me?.id ?? session?.user ?? null,
      admin: me?.admin ?? false,
      me,
      error,
      expired,
      signedOut,
      api,
      signIn,
      signOut,
    }),
    [status, config, me, session, error, expired, signedOut, api, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
};

/** The session: user, admin flag, sign-out, and the rest of what SessionProvider knows. */
export const useSession = (): SessionValue => {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession needs a SessionProvider above it');
  return value;
};

/** The typed API client of this session (pages under the signed-in layout always have one). */
export const useApi = (): ApiClient => {
  const { api } = useSession();
  if (!api) throw new Error('useApi before /config.json was loaded');
  return api;
};
