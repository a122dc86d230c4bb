import type { ReactNode } from 'react';
import { ApiError } from '../api-client.ts';

/** How much room a state reserves, so the page does not jump when the data arrives. */
export type StateSize = 'inline' | 'block' | 'page';

/** The loading state: role "status", text "Loading…", in a box as tall as what it stands for. */
export const Loading = ({ label = 'Loading…', size = 'block' }: { label?: string; size?: StateSize }) => (
  <div className={`state state-${size} state-loading`} role="status" aria-live="polite">
    <span className="spinner" aria-hidden="true" />
    {label}
  </div>
);

/** The error state: role "alert" with the API's message (and its request id, for a bug report), plus an optional retry. */
export const ErrorAlert = ({ error, onRetry, size = 'block', title }: { error: unknown; onRetry?: () => void; size?: StateSize; title?: string }) => {
  const message = error instanceof Error ? error.message : String(error);
  const requestId = error instanceof ApiError ? error.requestId : null;
  return (
    <div className={`state state-${size} state-error`} role="alert">
      <p>
        {title ? <strong>{title}: </strong> : null}
        {message}
      </p>
      {requestId ? <p className="muted small">Request id: <code>{requestId}</code></p> : null}
      {onRetry ? (
        <button type="button" className="button secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
};

/** The empty state: says there is nothing yet and, through children, what to do about it. */
export const EmptyState = ({ children, size = 'block' }: { children: ReactNode; size?: StateSize }) => <div className={`state state-${size} state-empty`}>{children}</div>;

/** A 403 or 404 from an admin route: the caller is not an admin. */
export const isNotAllowed = (error: unknown): boolean => error instanceof ApiError && (error.status === 403 || error.status === 404);
