import { lazy, Suspense, useEffect, useRef } from 'react';
import { BrowserRouter, Navigate, NavLink, Outlet, Route, Routes, useLocation } from 'react-router';
import { SessionProvider, useSession } from './session-context.tsx';
import { loginPathFor } from './session.ts';
import { PageErrorBoundary } from './components/page-error-boundary.tsx';
import { ErrorAlert, Loading } from './components/states.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { AuthCallbackPage } from './pages/auth-callback-page.tsx';
import { HomePage } from './pages/home-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';

// Home and sign-in are in the first chunk; every other page loads when first visited.
const FoliumPage = lazy(() => import('./pages/folium-page.tsx').then((m) => ({ default: m.FoliumPage })));
const NotebookPage = lazy(() => import('./pages/notebook-page.tsx').then((m) => ({ default: m.NotebookPage })));
const RunFormPage = lazy(() => import('./pages/run-form-page.tsx').then((m) => ({ default: m.RunFormPage })));
const RunPage = lazy(() => import('./pages/run-page.tsx').then((m) => ({ default: m.RunPage })));
const RunsPage = lazy(() => import('./pages/runs-page.tsx').then((m) => ({ default: m.RunsPage })));
const ScheduleFormPage = lazy(() =>
  import('./pages/schedule-form-page.tsx').then((m) => ({ default: m.ScheduleFormPage })),
);
const SchedulesPage = lazy(() => import('./pages/schedules-page.tsx').then((m) => ({ default: m.SchedulesPage })));
const SchedulePage = lazy(() => import('./pages/schedule-page.tsx').then((m) => ({ default: m.SchedulePage })));
const CredentialsPage = lazy(() =>
  import('./pages/credentials-page.tsx').then((m) => ({ default: m.CredentialsPage })),
);
const AdminPage = lazy(() => import('./pages/admin-page.tsx').then((m) => ({ default: m.AdminPage })));

const TITLES: [RegExp, string][] = [
  [/^\/$/, 'Your servers'],
  [/^\/notebooks\/?$/, 'Folium'],
  [/^\/notebooks\/[^/]+\/run$/, 'Run a notebook'],
  [/^\/notebooks\/[^/]+\/schedule$/, 'Schedule a notebook'],
  [/^\/notebooks\/[^/]+$/, 'Notebook'],
  [/^\/runs\/?$/, 'Your runs'],
  [/^\/runs\/[^/]+\/rerun$/, 'Rerun'],
  [/^\/runs\/[^/]+$/, 'Run'],
  [/^\/schedules\/?$/, 'Your schedules'],
  [/^\/schedules\/[^/]+$/, 'Schedule'],
  [/^\/credentials$/, 'Credentials'],
  [/^\/admin$/, 'Admin'],
  [/^\/login$/, 'Sign in'],
];

/** Sets the document title and moves focus to the main region on navigation, so screen readers hear the new page. */
const useRouteAnnouncement = () => {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    const title = TITLES.find(([re]) => re.test(pathname))?.[1] ?? 'Not found';
    document.title = `${title} — Orrery`;
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [pathname]);
};

/** The signed-in frame: skip link, header with the main navigation, the user's id and Sign out, and the page. */
const Layout = () => {
  const { user, admin, signOut } = useSession();
  const location = useLocation();
  useRouteAnnouncement();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand">
          Orrery
        </NavLink>
        <nav className="main-nav" aria-label="Main">
          <ul>
            <li>
              <NavLink to="/" end>
                Home
              </NavLink>
            </li>
            <li>
              <NavLink to="/notebooks">Folium</NavLink>
            </li>
            <li>
              <NavLink to="/runs">Runs</NavLink>
            </li>
            <li>
              <NavLink to="/schedules">Schedules</NavLink>
            </li>
            <li>
              <NavLink to="/credentials">Credentials</NavLink>
            </li>
            {admin ? (
              <li>
                <NavLink to="/admin">Admin</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
        <div className="user-box">
          <span className="muted small">Signed in as</span> <span className="user-id">{user}</span>
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <PageErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<Loading size="page" />}>
            <Outlet />
          </Suspense>
        </PageErrorBoundary>
      </main>
    </>
  );
};

/** Pages behind sign-in: waits for the session, sends the signed-out to `/login?next=<here>`. */
const RequireSession = () => {
  const { status, error, signedOut } = useSession();
  const location = useLocation();
  if (status === 'signed-out')
    return (
      <Navigate
        to={signedOut ? '/login' : loginPathFor(`${location.pathname}${location.search}${location.hash}`)}
        replace
      />
    );
  if (status === 'error') {
    return (
      <main id="main" className="narrow">
        <h1>Orrery</h1>
        <ErrorAlert
          error={error}
          title="The portal could not start"
          onRetry={() => location && window.location.reload()}
          size="page"
        />
      </main>
    );
  }
  if (status === 'loading') {
    return (
      <main id="main">
        <Loading size="page" />
      </main>
    );
  }
  return <Layout />;
};

/** The portal's routes (the paths are part of the UI contract). */
export const AppRoutes = () => (
  <Routes>
    <Route path="/login" element={<LoginPage />} />
    <Route path="/auth/callback" element={<AuthCallbackPage />} />
    <Route element={<RequireSession />}>
      <Route index element={<HomePage />} />
      <Route path="notebooks" element={<FoliumPage />} />
      <Route path="notebooks/:id" element={<NotebookPage />} />
      <Route path="notebooks/:id/run" element={<RunFormPage />} />
      <Route path="notebooks/:id/schedule" element={<ScheduleFormPage />} />
      <Route path="runs" element={<RunsPage />} />
      <Route path="runs/:id" element={<RunPage />} />
      <Route path="runs/:id/rerun" element={<RunFormPage />} />
      <Route path="schedules" element={<SchedulesPage />} />
      <Route path="schedules/:id" element={<SchedulePage />} />
      <Route path="credentials" element={<CredentialsPage />} />
      <Route path="admin" element={<AdminPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Route>
  </Routes>
);

/** The whole portal: router, session, routes. */
export const App = () => (
  <BrowserRouter>
    <SessionProvider>
      <AppRoutes />
    </SessionProvider>
  </BrowserRouter>
);
