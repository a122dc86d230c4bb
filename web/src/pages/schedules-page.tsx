import { useState } from 'react';
import { Pager } from '../components/pager.tsx';
import { Link, useSearchParams } from 'react-router';
import type { Fire, Schedule } from '../api-client.ts';
import { DataTable } from '../components/data-table.tsx';
import { ScheduleActions } from '../components/schedule-actions.tsx';
import { EmptyState, ErrorAlert, Loading } from '../components/states.tsx';
import { formatStatus } from '../format.ts';
import { FIRE_OUTCOME_TEXT, formatInZone } from '../schedule-form.ts';
import { useApi } from '../session-context.tsx';
import { useAsync } from '../use-async.ts';
import './schedule.css';

const PAGE_SIZE = 25;

/** `/schedules`: your schedules, each with its next due time, last status, and pause, run-now and delete. */
export const SchedulesPage = () => {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const cursor = params.get('cursor') ?? undefined;
  const schedules = useAsync(() => api.listSchedules({ cursor, limit: PAGE_SIZE }), [api, cursor]);
  const [started, setStarted] = useState<{ schedule: Schedule; fire: Fire } | null>(null);

  const replace = (next: Schedule) =>
    schedules.setData((page) => ({
      items: (page?.items ?? []).map((s) => (s.id === next.id ? { ...next, fires: s.fires } : s)),
      nextCursor: page?.nextCursor ?? null,
    }));
  const goTo = (nextCursor: string | null) => setParams(nextCursor ? { cursor: nextCursor } : {});

  return (
    <>
      <div className="page-header">
        <h1>Your schedules</h1>
      </div>
      {started ? <StartedNotice {...started} /> : null}
      {schedules.error ? (
        <ErrorAlert
          error={schedules.error}
          title="Schedules could not be loaded"
          onRetry={() => schedules.reload()}
          size="page"
        />
      ) : !schedules.data ? (
        <Loading size="page" />
      ) : schedules.data.items.length === 0 ? (
        <EmptyState size="page">
          <p>No schedules yet</p>
          <p className="small">
            Open a notebook in <Link to="/notebooks">Folium</Link> and choose <em>Schedule this notebook</em>.
          </p>
        </EmptyState>
      ) : (
        <DataTable
          name="Your schedules"
          hideName
          className="state-page"
          busy={schedules.loading}
          columns={['Schedule', 'Notebook', 'When', 'Next due', 'Last due time', 'Actions']}
          rows={schedules.data.items}
          row={(s) => (
            <ScheduleRow
              key={s.id}
              schedule={s}
              onChanged={replace}
              onTriggered={(fire) => {
                setStarted({ schedule: s, fire });
                schedules.reload(true);
              }}
              onDeleted={() => {
                setStarted(null);
                schedules.reload(true);
              }}
            />
          )}
        />
      )}
      <Pager what="schedules" cursor={cursor} nextCursor={schedules.data?.nextCursor} goTo={goTo} />
    </>
  );
};

/** What Run now did, with a link to the run it started. */
const StartedNotice = ({ schedule, fire }: { schedule: Schedule; fire: Fire }) => (
  <p className="notice" role="status">
    {schedule.name}: {FIRE_OUTCOME_TEXT[fire.outcome].toLowerCase()}
    {fire.runId ? (
      <>
        {' '}
        — <Link to={`/runs/${encodeURIComponent(fire.runId)}`}>open the run</Link>
      </>
    ) : null}
    {fire.reason ? ` (${fire.reason})` : ''}.
  </p>
);

const ScheduleRow = ({
  schedule: s,
  onChanged,
  onTriggered,
  onDeleted,
}: {
  schedule: Schedule;
  onChanged: (s: Schedule) => void;
  onTriggered: (fire: Fire) => void;
  onDeleted: () => void;
}) => (
  <tr>
    <th scope="row">
      <Link to={`/schedules/${encodeURIComponent(s.id)}`}>{s.name}</Link>
    </th>
    <td>
      <Link to={`/notebooks/${encodeURIComponent(s.notebookId)}`}>{s.notebookTitle}</Link>
      <div className="muted small">{s.version === null ? 'latest version' : `version ${s.version}`}</div>
    </td>
    <td>
      <code className="expression">{s.expression}</code>
      <div className="muted small">{s.timezone}</div>
    </td>
    <td>
      {s.paused ? (
        <span className="badge badge-STOPPED">Paused</span>
      ) : s.nextDue[0] ? (
        <time dateTime={s.nextDue[0]}>{formatInZone(s.nextDue[0], s.timezone)}</time>
      ) : (
        <span className="muted">None</span>
      )}
    </td>
    <td>
      {s.lastStatus ? <span className={`badge badge-${s.lastStatus}`}>{formatStatus(s.lastStatus)}</span> : null}
      <div className="muted small">
        {s.lastDueAt ? <time dateTime={s.lastDueAt}>{formatInZone(s.lastDueAt, s.timezone)}</time> : 'Not yet'}
      </div>
    </td>
    <td className="row-actions">
      <ScheduleActions schedule={s} inTable onChanged={onChanged} onTriggered={onTriggered} onDeleted={onDeleted} />
    </td>
  </tr>
);
