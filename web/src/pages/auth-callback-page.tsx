import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../session-context.tsx';
import { completeOidcSignIn } from '../session.ts';
import { ErrorAlert, Loading } from '../components/states.tsx';

/** `/auth/callback`: finishes the OIDC sign-in (state, code + verifier → tokens) and returns to where you were. */
export const AuthCallbackPage = () => {
  const { config, signIn } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const done = useRef(false);

  useEffect(() => {
    if (!config || done.current) return;
    done.current = true;
    if (config.auth.mode !== 'oidc') {
      setError(new Error('This portal signs in locally; there is no identity provider to come back from.'));
      return;
    }
    const callbackUrl = new URL(window.location.href);
    // The code is single-use and must not stay in history.
    window.history.replaceState(null, '', '/auth/callback');
    completeOidcSignIn(config.auth, sessionStorage, callbackUrl)
      .then(async ({ session, next }) => {
        await signIn(session);
        navigate(next, { replace: true });
      })
      .catch((err: unknown) => setError(err));
  }, [config, signIn, navigate]);

  return (
    <main id="main" className="narrow" tabIndex={-1}>
      <h1>Signing in</h1>
      {error ? (
        <>
          <ErrorAlert error={error} title="Sign-in did not finish" />
          <p>
            <Link to="/login">Sign in again</Link>
          </p>
        </>
      ) : (
        <Loading label="Finishing sign-in…" />
      )}
    </main>
  );
};
