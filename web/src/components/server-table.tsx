import { Fragment, useEffect, useRef, useState } from 'react';
import type { Profile, Role, Server, SparkSession } from '../api-client.ts';
import { formatAge, formatDateTime, formatHourlyPrice, formatStatus } from '../format.ts';
import { jupyterLabUrl } from '../server-tokens.ts';
import { type Column, DataTable } from './data-table.tsx';
import { ServerRole } from './server-role.tsx';
import { SparkSessions } from './spark-sessions.tsx';
import { ErrorAlert } from './states.tsx';

/** What a row can do to its server. */
export interface ServerActions {
  stop(name: string): Promise<void>;
  /** Launches a stopped server again: same name (so the same home), profile and role. */
  startAgain(server: Server): Promise<void>;
  /** Deletes a stopped server for good, its home and files with it. */
  remove(name: string): Promise<void>;
  keepAlive(name: string): Promise<void>;
  setRole(name: string, role: string | null): Promise<void>;
  /** Stops one Spark session (its executors); the server runs on. */
  stopSpark(id: string): Promise<void>;
}

const COLUMNS: Column[] = [
  'Name',
  'Status',
  'Pool',
  'AWS role',
  'Age',
  'Idle',
  { label: 'Price', num: true },
  'Actions',
];

/**
 * Your servers as a table: name, status, pool, AWS role, age, idle time, hourly price; Open / Stop / keep-alive while
 * active, Start again / Delete once stopped. A server with Spark sessions has them in a row of their own under it.
 */
export const ServerTable = ({
  servers,
  profiles,
  roles,
  tokenOf,
  sparkOf,
  hideOpenFor,
  now,
  actions,
}: {
  servers: Server[];
  profiles: Profile[] | undefined;
  roles: Role[] | undefined;
  tokenOf: (name: string) => string | null;
  /** The server's Spark sessions to show (active ones, and any stopped from this page). */
  sparkOf: (name: string) => SparkSession[];
  hideOpenFor: string | null;
  now: number;
  actions: ServerActions;
}) => (
  <DataTable
    name="Your servers"
    hideName
    columns={COLUMNS}
    rows={servers}
    row={(s) => {
      const spark = sparkOf(s.name);
      return (
        <Fragment key={s.name}>
          <ServerRow
            server={s}
            pool={profiles?.find((p) => p.slug === s.profile)?.pool ?? s.profile}
            roles={roles}
            token={s.name === hideOpenFor ? null : tokenOf(s.name)}
            now={now}
            actions={actions}
          />
          {spark.length ? (
            <tr className="spark-row">
              <td colSpan={COLUMNS.length}>
                <SparkSessions server={s.name} sessions={spark} now={now} onStop={actions.stopSpark} />
              </td>
            </tr>
          ) : null}
        </Fragment>
      );
    }}
  />
);

const active = (s: Server) => s.status === 'PENDING' || s.status === 'RUNNING';

const ServerRow = ({
  server: s,
  pool,
  roles,
  token,
  now,
  actions,
}: {
  server: Server;
  pool: string;
  roles: Role[] | undefined;
  token: string | null;
  now: number;
  actions: ServerActions;
}) => {
  // Which question the row is asking: stop (active) or delete (stopped); one at a time.
  const [confirming, setConfirming] = useState<'stop' | 'delete' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      setConfirming(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => {
    setConfirming(null);
    requestAnimationFrame(() => askRef.current?.focus());
  };
  const ended = s.status === 'STOPPED' || s.status === 'FAILED';

  return (
    <tr>
      <th scope="row">{s.name}</th>
      <td>
        <span className={`badge badge-${s.status}`}>{formatStatus(s.status)}</span>
        {s.status === 'PENDING' && s.progress ? <div className="small muted">{s.progress.message}</div> : null}
        {s.reason && !active(s) ? <div className="small muted">{s.reason}</div> : null}
        {s.cullWarning ? (
          <div className="small notice">
            Stops at {formatDateTime(s.cullWarning.stopsAt)}: {s.cullWarning.reason}
          </div>
        ) : null}
      </td>
      <td>{pool}</td>
      <td>
        <ServerRole server={s} roles={roles} onSave={actions.setRole} />
      </td>
      <td>{formatAge(s.startedAt ?? s.createdAt, active(s) ? now : Date.parse(s.stoppedAt ?? '') || now)}</td>
      <td>{s.status === 'RUNNING' ? formatAge(s.lastActivity, now) : '—'}</td>
      <td className="num">{formatHourlyPrice(s.hourlyPrice)}</td>
      <td>
        <div className="actions">
          {s.status === 'RUNNING' && s.url && token ? (
            <a className="button secondary" href={jupyterLabUrl(s.url, token)} target="_blank" rel="noopener">
              Open {s.name}
            </a>
          ) : null}
          {s.status === 'RUNNING' && s.url && !token ? (
            // The API shows a server's token once, to the tab that launched it; say so rather than show nothing.
            <span className="small muted">Open it from the tab that launched it: only that tab has its token.</span>
          ) : null}
          {s.cullWarning?.reason === 'idle' && s.status === 'RUNNING' ? (
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => run(() => actions.keepAlive(s.name))}
            >
              Keep {s.name} running
            </button>
          ) : null}
          {active(s) && !confirming ? (
            <button type="button" className="danger" ref={askRef} disabled={busy} onClick={() => setConfirming('stop')}>
              Stop {s.name}
            </button>
          ) : null}
          {ended && !confirming ? (
            <>
              <button type="button" disabled={busy} onClick={() => run(() => actions.startAgain(s))}>
                Start {s.name} again
              </button>
              <button
                type="button"
                className="danger"
                ref={askRef}
                disabled={busy}
                onClick={() => setConfirming('delete')}
              >
                Delete {s.name}
              </button>
            </>
          ) : null}
          {confirming ? (
            <span
              className="confirm"
              role="group"
              aria-label={`Confirm ${confirming === 'stop' ? 'stopping' : 'deleting'} ${s.name}`}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && !busy) cancel();
              }}
            >
              <span>
                {confirming === 'stop'
                  ? `Stop ${s.name}? Unsaved work is lost; saved files stay in its home.`
                  : `Delete ${s.name}? Its home and every file saved in it are deleted for good.`}
              </span>
              <button
                type="button"
                className="danger"
                ref={confirmRef}
                disabled={busy}
                onClick={() => run(() => (confirming === 'stop' ? actions.stop(s.name) : actions.remove(s.name)))}
              >
                Yes, {confirming} {s.name}
              </button>
              <button type="button" className="secondary" disabled={busy} onClick={cancel}>
                Cancel
              </button>
            </span>
          ) : null}
        </div>
        {error ? <ErrorAlert error={error} size="inline" /> : null}
      </td>
    </tr>
  );
};
