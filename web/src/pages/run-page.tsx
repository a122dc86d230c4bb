import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { Link, useParams } from 'react-router';
import type { Run } from '../api-client.ts';
import { NotebookFrame } from '../components/notebook-frame.tsx';
import { DataTable } from '../components/data-table.tsx';
import { ErrorAlert, isNotFound, Loading, NotFoundState, PageLoadError } from '../components/states.tsx';
import { formatDateTime, formatDuration, formatStatus, secondsBetween } from '../format.ts';
import { useApi } from '../session-context.tsx';
import { useAsync, useInterval } from '../use-async.ts';
import './run.css';

const FINAL = new Set<Run['status']>(['COMPLETED', 'FAILED', 'STOPPED']);
const CANCELLABLE = new Set<Run['status']>(['CREATED', 'QUEUED', 'IN_PROGRESS']);
const POLL_MS = 1500;
// Tracebacks come from the kernel with ANSI colours; the page shows them as plain text.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** One run: live status and duration, parameters, the failing cell, the output, download, cancel and rerun. */
export const RunPage = () => {
  const { id = '' } = useParams();
  const api = useApi();
  const run = useAsync(() => api.getRun(id), [id]);
  const final = run.data ? FINAL.has(run.data.status) : false;
  const [now, setNow] = useState(() => Date.now());
  // Polls while the run is not final, each poll a moment after the last answer: a reload aborts the load in
  // flight, so a fixed beat slower than the API would never show a new status. Stops on unmount and when final.
  useInterval(() => run.reload(true), run.data && !final && !run.loading ? POLL_MS : null);
  useInterval(() => setNow(Date.now()), run.data && !final ? 1000 : null);

  if (isNotFound(run.error))
    return (
      <NotFoundState what="Run" back={{ to: '/runs', text: 'Back to your runs' }}>
        No run you can see has the id <code>{id}</code>.
      </NotFoundState>
    );
  if (run.error && run.data?.id !== id)
    return (
      <PageLoadError heading="Run" error={run.error} title="The run could not be loaded" onRetry={() => run.reload()} />
    );
  // A link to another run (Rerun of) keeps the old run's data until the new one arrives: not shown under the new
  // address.
  if (run.data?.id !== id) return <Loading size="page" label="Loading the run…" />;

  const r = run.data;
  return (
    <>
      <div className="page-header">
        {/* The title when the run started, recorded with the run: no notebook fetch, and readable when the
            notebook is not. */}
        <h1>Run of {r.notebookTitle}</h1>
        <div className="actions">
          {CANCELLABLE.has(r.status) ? <CancelButton run={r} onCancelled={(next) => run.setData(next)} /> : null}
          <Link className="button secondary" to={`/runs/${r.id}/rerun`}>
            Rerun with changes
          </Link>
        </div>
      </div>
      {run.error ? (
        <ErrorAlert error={run.error} title="The status could not be refreshed; trying again" size="inline" />
      ) : null}
      <RunFacts run={r} now={now} />
      {r.error ? <RunFailure run={r} /> : null}
      <h2>Parameters</h2>
      <RunParameters parameters={r.parameters} />
      <h2>Output</h2>
      {r.hasOutput ? (
        <>
          <p>
            <DownloadOutput run={r} />
          </p>
          {r.outputTruncated ? (
            <p className="muted small">
              Some outputs were too large to keep whole: their beginning and end are shown around an “output truncated”
              line.
            </p>
          ) : null}
          <NotebookFrame
            title="Output notebook"
            load={(signal) => api.renderRunOutput(r.id, signal)}
            loadKey={`${r.id}:${r.status}`}
          />
        </>
      ) : (
        <div className="state state-block state-empty">
          <p>{final ? 'This run left no output notebook.' : 'The output notebook appears here when the run ends.'}</p>
        </div>
      )}
    </>
  );
};

const RunFacts = ({ run, now }: { run: Run; now: number }) => {
  const running = run.startedAt !== null && run.endedAt === null;
  const duration = run.durationSeconds ?? secondsBetween(run.startedAt, run.endedAt, now);
  return (
    <section className="card run-facts" aria-label="Status">
      <p role="status" className="run-status">
        Status: <span className={`badge badge-${run.status}`}>{formatStatus(run.status)}</span>
        {/* Once it has stopped, the Stopped card below says who stopped it. */}
        {run.stopRequestedBy && run.status !== 'STOPPED' ? (
          <span className="muted small"> (stop requested by {run.stopRequestedBy})</span>
        ) : null}
      </p>
      <dl className="facts">
        <dt>Duration</dt>
        <dd>
          {formatDuration(duration)}
          {running ? <span className="muted small"> so far</span> : null}
        </dd>
        <dt>Created</dt>
        <dd>{formatDateTime(run.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{formatDateTime(run.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>{formatDateTime(run.endedAt)}</dd>
        <dt>Notebook</dt>
        <dd>
          <Link to={`/notebooks/${run.notebookId}?version=${run.version}`}>Version {run.version}</Link>
        </dd>
        <dt>Profile</dt>
        <dd>{run.profile}</dd>
        <dt>AWS role</dt>
        <dd>{run.role ?? 'none'}</dd>
        <dt>Timeout</dt>
        <dd>{formatDuration(run.timeoutSeconds)}</dd>
        <dt>Started by</dt>
        <dd>{run.owner}</dd>
        {run.rerunOf ? (
          <>
            <dt>Rerun of</dt>
            <dd>
              <Link to={`/runs/${run.rerunOf}`}>{run.rerunOf}</Link>
            </dd>
          </>
        ) : null}
        {run.scheduleId ? (
          <>
            <dt>Schedule</dt>
            <dd>
              <Link to={`/schedules/${run.scheduleId}`}>{run.scheduleId}</Link>, due {formatDateTime(run.dueAt)}
              {run.attempt ? ` (retry ${run.attempt})` : ''}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
};

const RunFailure = ({ run }: { run: Run }) => {
  const error = run.error!;
  const where =
    error.cellIndex !== null
      ? `Failed at cell ${error.cellIndex + 1} (index ${error.cellIndex})`
      : run.status === 'STOPPED'
        ? 'Stopped'
        : 'The run failed';
  return (
    <section
      className={`card run-failure${run.status === 'STOPPED' ? ' run-stopped' : ''}`}
      aria-labelledby="failure-heading"
    >
      <h2 id="failure-heading">{where}</h2>
      <p>{error.reason}</p>
      {error.ename ? (
        <p>
          <code>
            {error.ename}: {error.evalue}
          </code>
        </p>
      ) : null}
      {error.traceback.length ? (
        <details open={run.status === 'FAILED'}>
          <summary>Traceback</summary>
          <pre className="traceback">{error.traceback.join('\n').replace(ANSI, '')}</pre>
        </details>
      ) : null}
    </section>
  );
};

const RunParameters = ({ parameters }: { parameters: Record<string, unknown> }) => {
  const entries = Object.entries(parameters);
  if (entries.length === 0)
    return <p className="muted">No parameters were overridden: the notebook ran with its own defaults.</p>;
  return (
    <DataTable
      name="Run parameters"
      hideName
      columns={['Name', 'Value (JSON)']}
      rows={entries}
      row={([name, value]) => (
        <tr key={name}>
          <th scope="row">
            <code>{name}</code>
          </th>
          <td>
            <code className="parameter-value">{JSON.stringify(value)}</code>
          </td>
        </tr>
      )}
    >
      <p className="small muted table-note">
        Parameters not listed kept the notebook’s defaults. Big ints show as strings, as papermill records them.
      </p>
    </DataTable>
  );
};

/** *Cancel run*, then a confirmation that says what cancelling does (as *Stop* does for a server), Escape to keep it. */
const CancelButton = ({ run, onCancelled }: { run: Run; onCancelled: (run: Run) => void }) => {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const yes = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) yes.current?.focus();
  }, [confirming]);
  const keep = () => {
    setConfirming(false);
    requestAnimationFrame(() => ask.current?.focus());
  };
  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      onCancelled(await api.cancelRun(run.id));
      setConfirming(false);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {confirming ? (
        <span
          className="confirm"
          role="group"
          aria-label="Confirm cancelling the run"
          onKeyDown={(e) => {
            if (e.key === 'Escape' && !busy) keep();
          }}
        >
          <span>Cancel this run? It stops now; a rerun starts over.</span>
          <button type="button" className="danger" ref={yes} onClick={() => void cancel()} disabled={busy}>
            {busy ? 'Cancelling…' : 'Yes, cancel the run'}
          </button>
          <button type="button" className="secondary" onClick={keep} disabled={busy}>
            Keep it running
          </button>
        </span>
      ) : (
        <button type="button" className="danger" ref={ask} onClick={() => setConfirming(true)}>
          Cancel run
        </button>
      )}
      {error ? (
        <span role="alert" className="alert-inline">
          {error.message}
        </span>
      ) : null}
    </>
  );
};

/** The output's presigned URL expires; a click asks for a fresh one, the href serves copy-link and middle-click. */
const DownloadOutput = ({ run }: { run: Run }) => {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const click = async (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    try {
      window.location.assign((await api.getRunOutput(run.id)).url);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <a href={run.output?.url ?? '#'} onClick={(e) => void click(e)}>
        Download output
      </a>
      {error ? (
        <span role="alert" className="alert-inline">
          {' '}
          {error}
        </span>
      ) : null}
    </>
  );
};
