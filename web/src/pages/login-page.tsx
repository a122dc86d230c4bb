import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { exchangeLocalCode } from '../api-client.ts';
import { useSession } from '../session-context.tsx';
import { beginOidcSignIn, localSession, looksLikeJwt, safeNextPath } from '../session.ts';
import { ErrorAlert, Loading } from '../components/states.tsx';

/** `/login`: the one-time login link or a pasted token in local mode; the IdP's hosted sign-in in the cloud. */
export const LoginPage = () => {
  const { status, config, error: startError, expired } = useSession();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  useEffect(() => {
    document.title = 'Sign in — Orrery';
  }, []);

  if (status === 'signed-in') return <Navigate to={next} replace />;
  return (
    <main id="main" className="narrow" tabIndex={-1}>
      <h1>Sign in</h1>
      <p className="muted">Orrery: Jupyter servers, the Folium notebook archive and parameterized runs.</p>
      {expired ? (
        <p className="notice" role="status">
          Your session ended. Sign in again to go back where you were.
        </p>
      ) : null}
      {!config ? (
        startError ? (
          <ErrorAlert
            error={startError}
            title="The portal could not load its settings"
            onRetry={() => window.location.reload()}
          />
        ) : (
          <Loading />
        )
      ) : config.auth.mode === 'local' ? (
        <LocalSignIn next={next} />
      ) : (
        <OidcSignIn next={next} />
      )}
    </main>
  );
};

/** Local mode: spends `#code=` from the login link once, or takes a token from `npm run token`. */
const LocalSignIn = ({ next }: { next: string }) => {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const spent = useRef(false);

  useEffect(() => {
    const code = new URLSearchParams(window.location.hash.slice(1)).get('code');
    if (!code || spent.current) return;
    // The code is single-use: strip it from the address (and history) before spending it.
    spent.current = true;
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}`);
    setBusy(true);
    exchangeLocalCode(code)
      .then(({ user, token: t }) => signIn(localSession(t, user)))
      .then(() => navigate(next, { replace: true }))
      .catch((err: unknown) => {
        setError(err);
        setBusy(false);
      });
  }, [signIn, navigate, next]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!looksLikeJwt(token)) {
      setError(
        new Error('That does not look like a token: paste the whole line that `npm run token -- <user>` printed.'),
      );
      return;
    }
    setBusy(true);
    try {
      await signIn(localSession(token));
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  // A token is one line: Enter signs in, as it would in a one-line field (the box is tall only to show the whole
  // token).
  const submitOnEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    event.currentTarget.form?.requestSubmit();
  };

  return (
    <form className="card" onSubmit={submit} noValidate>
      <p>
        Open the login link that <code>npm start</code> printed, or paste a token from{' '}
        <code>npm run token -- &lt;user&gt;</code>.
      </p>
      <div className="field">
        <label htmlFor="token">Bearer token</label>
        <textarea
          id="token"
          name="token"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          onKeyDown={submitOnEnter}
          spellCheck={false}
          autoComplete="off"
          rows={4}
          aria-describedby="token-hint"
          aria-invalid={error ? true : undefined}
        />
        <span id="token-hint" className="hint">
          A JWT: three dot-separated parts.
        </span>
      </div>
      {error ? <ErrorAlert error={error} size="inline" /> : null}
      <div className="actions">
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {busy ? <span role="status">Signing you in…</span> : null}
      </div>
    </form>
  );
};

/** The cloud: authorization code with PKCE at the configured issuer. */
const OidcSignIn = ({ next }: { next: string }) => {
  const { config } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const start = async () => {
    if (config?.auth.mode !== 'oidc') return;
    setBusy(true);
    setError(null);
    try {
      window.location.assign(
        (await beginOidcSignIn(config.auth, sessionStorage, window.location.origin, next)).toString(),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <div className="card">
      <p>Sign in with your organisation&rsquo;s account. You will come back here afterwards.</p>
      {error ? <ErrorAlert error={error} size="inline" title="Sign-in could not start" /> : null}
      <div className="actions">
        <button type="button" onClick={start} disabled={busy}>
          Sign in
        </button>
        {busy ? <span role="status">Going to your identity provider…</span> : null}
      </div>
    </div>
  );
};
