import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api-client.ts';
import { canRetry, isNotFound } from '../error-kinds.ts';

export { isNotFound };

/** How much room a state reserves, so the page does not jump when the data arrives. */
export type StateSize = 'inline' | 'block' | 'page';

/** The loading state: role "status", text "Loading…", in a box as tall as what it stands for. */
export const Loading = ({ label = 'Loading…', size = 'block' }: { label?: string; size?: StateSize }) => (
  <div className={`state state-${size} state-loading`} role="status" aria-live="polite">
    <span className="spinner" aria-hidden="true" />
    {label}
  </div>
);

/**
 * The error state: role "alert" with the API's message (and request id, for a bug report), plus a retry when one is
 * given and asking again may help (never for a 4xx: the same request gets the same answer).
 */
export const ErrorAlert = ({
  error,
  onRetry,
  size = 'block',
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  size?: StateSize;
  title?: string;
}) => {
  const message = error instanceof Error ? error.message : String(error);
  const requestId = error instanceof ApiError ? error.requestId : null;
  return (
    <div className={`state state-${size} state-error`} role="alert">
      <p>
        {title ? <strong>{title}: </strong> : null}
        {message}
      </p>
      {requestId ? (
        <p className="muted small">
          Request id: <code>{requestId}</code>
        </p>
      ) : null}
      {onRetry && canRetry(error) ? (
        <button type="button" className="button secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
};

/** The empty state: says there is nothing yet and, through children, what to do about it. */
export const EmptyState = ({ children, size = 'block' }: { children: ReactNode; size?: StateSize }) => (
  <div className={`state state-${size} state-empty`}>{children}</div>
);

/** A 403 or 404 from an admin route: the caller is not an admin. */
export const isNotAllowed = (error: unknown): boolean =>
  error instanceof ApiError && (error.status === 403 || error.status === 404);

/** A page whose address names nothing the caller can see: a heading that says so, why, and the way back. */
export const NotFoundState = ({
  what,
  back,
  children = 'It does not exist, or it is not shared with you.',
}: {
  what: string;
  back: { to: string; text: string };
  /** What is missing, in words for this page; by default, "it does not exist, or it is not shared with you". */
  children?: ReactNode;
}) => (
  <>
    <h1>{what} not found</h1>
    <EmptyState size="page">
      <p>{children}</p>
      <p>
        <Link to={back.to}>{back.text}</Link>
      </p>
    </EmptyState>
  </>
);

/** A page that could not load what it is about: its generic heading, then the error with a retry. */
export const PageLoadError = ({
  heading,
  error,
  title,
  onRetry,
}: {
  heading: string;
  error: unknown;
  title: string;
  onRetry: () => void;
}) => (
  <>
    <h1>{heading}</h1>
    <ErrorAlert error={error} title={title} onRetry={onRetry} size="page" />
  </>
);
