import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Fire, Schedule } from '../api-client.ts';
import { DataTable } from '../components/data-table.tsx';
import { ScheduleActions } from '../components/schedule-actions.tsx';
import { EmptyState, ErrorAlert, isNotFound, Loading, NotFoundState, PageLoadError } from '../components/states.tsx';
import { formatDateTime, formatDuration, formatStatus } from '../format.ts';
import {
  FIRE_OUTCOME_TEXT,
  FIRE_SOURCE_TEXT,
  formatInZone,
  MISSED_TEXT,
  notifySummary,
  OVERLAP_TEXT,
} from '../schedule-form.ts';
import { useApi } from '../session-context.tsx';
import { useAsync, useInterval } from '../use-async.ts';
import './schedule.css';

const FINAL_RUN = new Set(['COMPLETED', 'FAILED', 'STOPPED']);
const POLL_MS = 2000;

// A fire is still moving while it is being claimed or its run has not ended: the page polls until none is.
const moving = (fires: Fire[] | undefined): boolean =>
  (fires ?? []).some(
    (f) => f.outcome === 'claimed' || (f.runId !== null && (f.runStatus === null || !FINAL_RUN.has(f.runStatus))),
  );

/** `/schedules/:id`: a schedule's settings, its next five due times, and its fires with their runs. */
export const SchedulePage = () => {
  const { id = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const schedule = useAsync(() => api.getSchedule(id), [id]);
  const [triggered, setTriggered] = useState(false);
  const polling = schedule.data?.id === id && (triggered || moving(schedule.data.fires)) && !schedule.loading;
  useInterval(
    () => {
      setTriggered(false);
      schedule.reload(true);
    },
    polling ? POLL_MS : null,
  );

  if (isNotFound(schedule.error))
    return (
      <NotFoundState what="Schedule" back={{ to: '/schedules', text: 'Back to your schedules' }}>
        No schedule you can see has the id <code>{id}</code>.
      </NotFoundState>
    );
  if (schedule.error && schedule.data?.id !== id)
    return (
      <PageLoadError
        heading="Schedule"
        error={schedule.error}
        title="The schedule could not be loaded"
        onRetry={() => schedule.reload()}
      />
    );
  if (schedule.data?.id !== id) return <Loading size="page" label="Loading the schedule…" />;

  const s = schedule.data;
  return (
    <>
      <div className="page-header">
        <h1>{s.name}</h1>
        <ScheduleActions
          schedule={s}
          onChanged={(next) => schedule.setData({ ...next, fires: next.fires ?? s.fires })}
          onTriggered={() => {
            setTriggered(true);
            schedule.reload(true);
          }}
          onDeleted={() => navigate('/schedules')}
        />
      </div>
      {schedule.error ? (
        <ErrorAlert error={schedule.error} title="The schedule could not be refreshed" size="inline" />
      ) : null}
      {s.paused ? <p className="notice">Paused: nothing runs at its due times until it is resumed.</p> : null}
      <div className="schedule-layout">
        <ScheduleSettings schedule={s} />
        <section className="card" aria-labelledby="next-due-heading">
          <h2 id="next-due-heading">Next due times</h2>
          {s.nextDue.length === 0 ? (
            <p className="muted">{s.paused ? 'None while paused.' : 'None: the expression has no more due times.'}</p>
          ) : (
            <ol className="due-list">
              {s.nextDue.map((iso) => (
                <li key={iso}>
                  <time dateTime={iso}>{formatInZone(iso, s.timezone)}</time>
                </li>
              ))}
            </ol>
          )}
          <p className="hint">In {s.timezone}.</p>
        </section>
      </div>
      <h2>History</h2>
      <FireTable fires={s.fires ?? []} timezone={s.timezone} />
    </>
  );
};

const ScheduleSettings = ({ schedule: s }: { schedule: Schedule }) => {
  const parameters = Object.entries(s.parameters);
  return (
    <section className="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <dl className="facts">
        <dt>Notebook</dt>
        <dd>
          <Link to={`/notebooks/${encodeURIComponent(s.notebookId)}`}>{s.notebookTitle}</Link>,{' '}
          {s.version === null ? 'the latest version at each run' : `version ${s.version} only`}
        </dd>
        <dt>Expression</dt>
        <dd>
          <code className="expression">{s.expression}</code> in {s.timezone}
        </dd>
        <dt>Parameters</dt>
        <dd>
          {parameters.length === 0 ? (
            <span className="muted">The notebook’s defaults</span>
          ) : (
            <ul className="link-list">
              {parameters.map(([name, value]) => (
                <li key={name}>
                  <code>
                    {name} = {JSON.stringify(value)}
                  </code>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Profile</dt>
        <dd>{s.profile}</dd>
        <dt>AWS role</dt>
        <dd>
          {s.role ?? <span className="muted">None</span>}
          {s.delegation ? (
            <span className="muted small"> (delegated until {formatDateTime(s.delegation.expiresAt)})</span>
          ) : null}
        </dd>
        <dt>Timeout</dt>
        <dd>{s.timeoutSeconds === null ? 'The platform’s' : formatDuration(s.timeoutSeconds)}</dd>
        <dt>Retries</dt>
        <dd>{s.retries === 0 ? 'None' : `${s.retries}, ${formatDuration(s.retryDelaySeconds)} apart`}</dd>
        <dt>If still running</dt>
        <dd>{OVERLAP_TEXT[s.overlap]}</dd>
        <dt>Missed due times</dt>
        <dd>{MISSED_TEXT[s.missed]}</dd>
        <dt>Notifications</dt>
        <dd>{notifySummary(s.notify)}</dd>
        <dt>Owner</dt>
        <dd>{s.owner}</dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={s.createdAt}>{formatDateTime(s.createdAt)}</time>
        </dd>
      </dl>
    </section>
  );
};

/** The fires, latest due time first: when, why, what it did, and its run with the run's status. */
const FireTable = ({ fires, timezone }: { fires: Fire[]; timezone: string }) =>
  fires.length === 0 ? (
    <EmptyState>
      <p>No due time has come yet. Run now starts one at once.</p>
    </EmptyState>
  ) : (
    <DataTable
      name="History"
      hideName
      columns={['Due time', 'Source', 'Outcome', 'Run']}
      rows={fires}
      row={(f) => (
        <tr key={`${f.dueAt}:${f.attempt}`}>
          <th scope="row">
            <time dateTime={f.dueAt}>{formatInZone(f.dueAt, timezone)}</time>
            {f.attempt > 0 ? <div className="muted small">attempt {f.attempt + 1}</div> : null}
          </th>
          <td>{FIRE_SOURCE_TEXT[f.source]}</td>
          <td>
            {FIRE_OUTCOME_TEXT[f.outcome]}
            {f.reason ? <div className="muted small">{f.reason}</div> : null}
          </td>
          <td>
            {f.runId ? (
              <>
                <Link to={`/runs/${encodeURIComponent(f.runId)}`}>{f.runId}</Link>{' '}
                {f.runStatus ? <span className={`badge badge-${f.runStatus}`}>{formatStatus(f.runStatus)}</span> : null}
              </>
            ) : (
              <span className="muted">None</span>
            )}
          </td>
        </tr>
      )}
    />
  );
