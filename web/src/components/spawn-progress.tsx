import { useEffect, useRef, useState } from 'react';
import type { ProgressEvent } from '../api-client.ts';
import { useApi } from '../session-context.tsx';
import { ErrorAlert } from './states.tsx';

/** Spawn progress of one server: polls the progress batches until an event is ready or failed. */
export const useSpawnProgress = (name: string | null, attempt: number) => {
  const api = useApi();
  const [events, setEvents] = useState<ProgressEvent[]>([]);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setEvents([]);
    setDone(false);
    setError(null);
    if (!name) return;
    let stopped = false;
    const poll = async () => {
      let after: number | undefined;
      // Each answer is one batch; the API waits up to ~10 s when nothing is new, so this loop does not spin.
      while (!stopped) {
        const batch = await api.serverProgress(name, after);
        if (stopped) return;
        const last = batch.events.at(-1);
        if (last) {
          after = last.id;
          setEvents((current) => [...current, ...batch.events.filter((e) => !current.some((c) => c.id === e.id))]);
        }
        if (batch.done) {
          setDone(true);
          return;
        }
      }
    };
    poll().catch((err: unknown) => {
      if (!stopped) setError(err);
    });
    return () => {
      stopped = true;
    };
  }, [api, name, attempt]);
  const ready = events.some((e) => e.ready);
  const failed = events.some((e) => e.failed);
  return { events, done, ready, failed, error };
};

/**
 * The live log of a launch (role "log", named "Spawn progress"), with a progress bar, what to do next, and a Dismiss
 * button when `onDismiss` is given.
 */
export const SpawnProgress = ({
  name,
  events,
  error,
  onRetry,
  onDismiss,
  children,
}: {
  name: string;
  events: ProgressEvent[];
  error: unknown;
  onRetry: () => void;
  onDismiss?: () => void;
  children?: React.ReactNode;
}) => {
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [events.length]);
  const latest = events.at(-1);
  const percent = Math.round(Math.min(100, Math.max(0, latest?.progress ?? 0)));
  return (
    <section className="card" aria-labelledby="spawn-heading">
      <div className="page-header">
        <h2 id="spawn-heading">Launching {name}</h2>
        {onDismiss ? (
          <button type="button" className="secondary" aria-label={`Dismiss progress of ${name}`} onClick={onDismiss}>
            Dismiss
          </button>
        ) : null}
      </div>
      <label htmlFor="spawn-bar" className="small progress-label">
        Progress: {percent}%
      </label>
      <progress id="spawn-bar" max={100} value={percent} className="spawn-bar" />
      <ol className="log" role="log" aria-label="Spawn progress" ref={listRef}>
        {events.length === 0 ? <li className="muted">Waiting for the first event…</li> : null}
        {events.map((e) => (
          <li key={e.id} className={e.failed ? 'log-failed' : e.ready ? 'log-ready' : undefined}>
            {e.message}
          </li>
        ))}
      </ol>
      {error ? <ErrorAlert error={error} size="inline" title="Progress stopped updating" onRetry={onRetry} /> : null}
      {children}
    </section>
  );
};
