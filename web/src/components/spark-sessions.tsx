import { useEffect, useRef, useState } from 'react';
import type { SparkSession } from '../api-client.ts';
import { formatAge, formatHourlyPrice, formatMoney, formatStatus } from '../format.ts';
import { formatExecutors } from '../spark-text.ts';
import { DataTable } from './data-table.tsx';
import { ErrorAlert } from './states.tsx';

/**
 * A server's Spark sessions, under its row: app, status, executors, $/h now and at most, age, its links (Spark UI,
 * history, monitoring) and Stop for an active one. A session stopped here stays listed, with its cost so far (at
 * most), its history and monitoring links.
 */
export const SparkSessions = ({
  server,
  sessions,
  now,
  onStop,
}: {
  server: string;
  sessions: SparkSession[];
  now: number;
  onStop: (id: string) => Promise<void>;
}) => {
  // Two sessions of one server often share the default app name: their buttons and links then name the id too.
  const names = sessions.map((s) => s.appName);
  const labelOf = (s: SparkSession) =>
    names.indexOf(s.appName) === names.lastIndexOf(s.appName) ? s.appName : `${s.appName} (${s.id})`;
  return (
    <DataTable
      name={`Spark sessions on ${server}`}
      className="spark-sessions"
      columns={['Spark app', 'Status', 'Executors', { label: 'Per hour', num: true }, 'Age', 'Links', 'Actions']}
      rows={sessions}
      row={(s) => <SparkRow key={s.id} session={s} label={labelOf(s)} now={now} onStop={onStop} />}
    />
  );
};

const LINKS: { key: keyof SparkSession['links']; text: string }[] = [
  { key: 'ui', text: 'Spark UI' },
  { key: 'history', text: 'History' },
  { key: 'monitoring', text: 'Monitoring' },
];

const SparkRow = ({
  session: s,
  label,
  now,
  onStop,
}: {
  session: SparkSession;
  label: string;
  now: number;
  onStop: (id: string) => Promise<void>;
}) => {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const active = s.status === 'ACTIVE';

  const stop = async () => {
    setBusy(true);
    setError(null);
    try {
      await onStop(s.id);
      setConfirming(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => {
    setConfirming(false);
    requestAnimationFrame(() => askRef.current?.focus());
  };
  // A stopped session's UI is gone with its driver; its history and dashboards stay.
  const links = LINKS.filter(({ key }) => s.links[key] && (active || key !== 'ui'));

  return (
    <tr>
      <th scope="row">
        {s.appName}
        <div className="small muted">
          {s.pool} pool · {s.id}
        </div>
      </th>
      <td>
        <span className={`badge badge-${s.status}`}>{formatStatus(s.status)}</span>
        {s.cost.highCost ? <div className="small notice-text">High cost</div> : null}
      </td>
      <td>{formatExecutors(s)}</td>
      <td className="num nowrap">
        {active ? (
          <>
            {formatHourlyPrice(s.cost.hourlyUsd)}
            {s.cost.maxHourlyUsd !== s.cost.hourlyUsd ? (
              <div className="small muted">up to {formatHourlyPrice(s.cost.maxHourlyUsd)}</div>
            ) : null}
          </>
        ) : (
          '—'
        )}
        {s.costSoFarUsd !== undefined ? (
          <div className="small muted">at most {formatMoney(s.costSoFarUsd)} in all</div>
        ) : null}
      </td>
      <td>{formatAge(s.createdAt, active ? now : Date.parse(s.stoppedAt ?? '') || now)}</td>
      <td>
        {links.length ? (
          <ul className="link-list nowrap">
            {links.map(({ key, text }) => (
              <li key={key}>
                <a href={s.links[key]} target="_blank" rel="noopener">
                  {text}
                  <span className="visually-hidden"> of {label}</span>
                </a>
              </li>
            ))}
          </ul>
        ) : (
          '—'
        )}
      </td>
      <td>
        <div className="actions">
          {active && !confirming ? (
            <button type="button" className="danger" ref={askRef} disabled={busy} onClick={() => setConfirming(true)}>
              Stop<span className="visually-hidden"> Spark session {label}</span>
            </button>
          ) : null}
          {active && confirming ? (
            <span
              className="confirm"
              role="group"
              aria-label={`Confirm stopping Spark session ${label}`}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && !busy) cancel();
              }}
            >
              <span>Stop {s.appName}? Its executors end; the notebook's Spark stops working.</span>
              <button type="button" className="danger" ref={confirmRef} disabled={busy} onClick={stop}>
                Yes, stop<span className="visually-hidden"> Spark session {label}</span>
              </button>
              <button type="button" className="secondary" disabled={busy} onClick={cancel}>
                Cancel
              </button>
            </span>
          ) : null}
          {/* Present from the start, so the stop is announced where the Stop button was. */}
          <span className="small muted" role="status">
            {!active && s.stopReason ? stopReasonText(s.stopReason) : ''}
          </span>
        </div>
        {error ? <ErrorAlert error={error} size="inline" /> : null}
      </td>
    </tr>
  );
};

const STOP_REASONS: Record<string, string> = {
  owner: 'Stopped on request',
  'server-ended': 'Ended with its server',
  'max-age': 'Reached its maximum age',
};

/** Why a session ended, in words. */
const stopReasonText = (reason: string): string => STOP_REASONS[reason] ?? reason;
