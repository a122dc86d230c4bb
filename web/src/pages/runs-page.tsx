import { Link, useSearchParams } from 'react-router';
import { Pager } from '../components/pager.tsx';
import type { Run, RunStatus } from '../api-client.ts';
import { formatDateTime, formatDuration, formatStatus, secondsBetween } from '../format.ts';
import { useApi } from '../session-context.tsx';
import { useAsync } from '../use-async.ts';
import { DataTable } from '../components/data-table.tsx';
import { EmptyState, ErrorAlert, Loading } from '../components/states.tsx';

// An object keyed by every status, so a status added to the API's enum fails the typecheck here until listed.
const STATUS_SET = {
  CREATED: true,
  QUEUED: true,
  IN_PROGRESS: true,
  COMPLETED: true,
  FAILED: true,
  STOPPING: true,
  STOPPED: true,
} satisfies Record<RunStatus, true>;
const STATUSES = Object.keys(STATUS_SET) as RunStatus[];
const isStatus = (s: string | null): s is RunStatus => s !== null && s in STATUS_SET;
const PAGE_SIZE = 25;

/** `/runs`: your runs across notebooks, newest first, filtered by `?status=` and paged by `?cursor=`. */
export const RunsPage = () => {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status = isStatus(raw) ? raw : undefined;
  const cursor = params.get('cursor') ?? undefined;
  const runs = useAsync(() => api.listRuns({ status, cursor, limit: PAGE_SIZE }), [api, status, cursor]);

  const setStatus = (value: string) => {
    const next = new URLSearchParams();
    if (value) next.set('status', value);
    setParams(next);
  };
  const goTo = (nextCursor: string | null) => {
    const next = new URLSearchParams(params);
    if (nextCursor) next.set('cursor', nextCursor);
    else next.delete('cursor');
    setParams(next);
  };

  return (
    <>
      <div className="page-header">
        <h1>Your runs</h1>
      </div>
      <div className="field filter">
        <label htmlFor="run-status">Status</label>
        <select id="run-status" value={status ?? ''} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {formatStatus(s)}
            </option>
          ))}
        </select>
      </div>
      {runs.error ? (
        <ErrorAlert error={runs.error} title="Runs could not be loaded" onRetry={() => runs.reload()} size="page" />
      ) : !runs.data ? (
        <Loading size="page" />
      ) : runs.data.items.length === 0 ? (
        <EmptyState size="page">
          <p>{status ? `No runs with status “${formatStatus(status)}”` : 'No runs yet'}</p>
          <p className="small">
            Start one from a notebook in <Link to="/notebooks">Folium</Link>.
          </p>
        </EmptyState>
      ) : (
        <RunTable runs={runs.data.items} busy={runs.loading} />
      )}
      <Pager what="runs" cursor={cursor} nextCursor={runs.data?.nextCursor} goTo={goTo} />
    </>
  );
};

/**
 * One row per run: the run named by when it started (its link), the notebook by its title (linking to the version
 * that ran), the status in words. The title is the one the notebook had when the run started, kept with the run.
 */
const RunTable = ({ runs, busy }: { runs: Run[]; busy: boolean }) => (
  <DataTable
    name="Your runs"
    hideName
    className="state-page"
    busy={busy}
    columns={['Run', 'Notebook', 'Status', { label: 'Duration', num: true }, 'Profile']}
    rows={runs}
    row={(r) => (
      <tr key={r.id}>
        <th scope="row">
          <Link to={`/runs/${encodeURIComponent(r.id)}`}>{formatDateTime(r.createdAt)}</Link>
          <div className="muted small">{r.id}</div>
        </th>
        <td>
          <Link to={`/notebooks/${encodeURIComponent(r.notebookId)}?version=${r.version}`}>{r.notebookTitle}</Link>{' '}
          <span className="muted small">v{r.version}</span>
        </td>
        <td>
          <span className={`badge badge-${r.status}`}>{formatStatus(r.status)}</span>
        </td>
        <td className="num">
          {formatDuration(r.durationSeconds ?? secondsBetween(r.startedAt, r.endedAt, Date.now()))}
        </td>
        <td>{r.profile}</td>
      </tr>
    )}
  />
);
