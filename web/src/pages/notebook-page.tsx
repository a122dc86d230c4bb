import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { Notebook, Version } from '../api-client.ts';
import { NotebookFrame } from '../components/notebook-frame.tsx';
import { DataTable } from '../components/data-table.tsx';
import { EmptyState, ErrorAlert, isNotFound, Loading, NotFoundState, PageLoadError } from '../components/states.tsx';
import { TagList } from '../components/tag-list.tsx';
import { formatDateTime, formatDuration, formatStatus } from '../format.ts';
import { useApi, useSession } from '../session-context.tsx';
import { useAsync } from '../use-async.ts';
import { EditDetails } from './notebook-details.tsx';
import { NewVersionForm, VersionList } from './notebook-versions.tsx';
import './folium.css';

const VISIBILITY_TEXT: Record<Notebook['visibility'], string> = {
  private: 'Private',
  team: 'Team',
  org: 'Organisation',
};

/** One notebook: details (editable by its owner), versions, the rendered notebook, its parameters and runs. */
export const NotebookPage = () => {
  const { id = '' } = useParams();
  const api = useApi();
  const { user, admin } = useSession();
  const [params, setParams] = useSearchParams();
  const [versionsKey, setVersionsKey] = useState(0);
  const notebook = useAsync(() => api.getNotebook(id), [id]);

  if (isNotFound(notebook.error))
    return <NotFoundState what="Notebook" back={{ to: '/notebooks', text: 'Back to Folium' }} />;
  if (notebook.error)
    return (
      <PageLoadError
        heading="Notebook"
        error={notebook.error}
        title="The notebook could not be loaded"
        onRetry={() => notebook.reload()}
      />
    );
  // Another notebook's page (a link from this one) keeps the old data until the new arrives: not shown under the new
  // address.
  if (notebook.data?.id !== id) return <Loading size="page" label="Loading the notebook…" />;

  const nb = notebook.data;
  const writable = admin || nb.owner === user;
  const asked = Number(params.get('version'));
  const selected = Number.isInteger(asked) && asked >= 1 && asked <= nb.latestVersion ? asked : nb.latestVersion;
  const select = (v: number) => setParams(v === nb.latestVersion ? {} : { version: String(v) });
  const committed = (v: Version) => {
    notebook.setData({ ...nb, latestVersion: v.version, updatedAt: v.createdAt });
    setVersionsKey((k) => k + 1);
    setParams({});
  };

  return (
    <>
      <div className="page-header">
        <h1>{nb.title}</h1>
        <div className="actions">
          {nb.latestVersion > 0 && !nb.archived ? (
            <Link
              className="button"
              to={`/notebooks/${nb.id}/run${selected !== nb.latestVersion ? `?version=${selected}` : ''}`}
            >
              Run this notebook
            </Link>
          ) : null}
          {nb.latestVersion > 0 && !nb.archived ? (
            <Link className="button secondary" to={`/notebooks/${nb.id}/schedule`}>
              Schedule this notebook
            </Link>
          ) : null}
          {writable ? <EditDetails notebook={nb} onSaved={(saved) => notebook.setData(saved)} /> : null}
        </div>
      </div>
      {nb.archived ? (
        <p className="notice">This notebook is archived: it is hidden from lists and cannot be run.</p>
      ) : null}
      <NotebookFacts nb={nb} />
      <div className="notebook-layout">
        <div>
          <h2>
            {selected > 0 ? `Version ${selected}${selected === nb.latestVersion ? ' (latest)' : ''}` : 'Notebook'}
          </h2>
          {selected > 0 ? (
            <VersionView notebookId={nb.id} version={selected} />
          ) : (
            <EmptyState>This notebook has no version yet.</EmptyState>
          )}
          <h2>Runs</h2>
          <NotebookRuns notebookId={nb.id} />
        </div>
        <aside aria-labelledby="versions-heading">
          <h2 id="versions-heading">Versions</h2>
          <VersionList notebookId={nb.id} selected={selected} onSelect={select} reloadKey={versionsKey} />
          {writable && !nb.archived ? <NewVersionForm notebookId={nb.id} onCommitted={committed} /> : null}
        </aside>
      </div>
    </>
  );
};

const NotebookFacts = ({ nb }: { nb: Notebook }) => (
  <section className="card" aria-label="Details">
    {nb.description ? (
      <p className="notebook-description">{nb.description}</p>
    ) : (
      <p className="muted">No description.</p>
    )}
    <dl className="facts">
      <dt>Owner</dt>
      <dd>{nb.owner}</dd>
      <dt>Group</dt>
      <dd>{nb.group ?? '—'}</dd>
      <dt>Team</dt>
      <dd>{nb.team ?? '—'}</dd>
      <dt>Visibility</dt>
      <dd>{VISIBILITY_TEXT[nb.visibility] ?? nb.visibility}</dd>
      <dt>Updated</dt>
      <dd>
        <time dateTime={nb.updatedAt}>{formatDateTime(nb.updatedAt)}</time>
      </dd>
      <dt>Tags</dt>
      <dd>{nb.tags.length ? <TagList tags={nb.tags} label="Tags" /> : <span className="muted">None</span>}</dd>
    </dl>
  </section>
);

/** The selected version: its rendered HTML, download link and inferred parameters. */
const VersionView = ({ notebookId, version }: { notebookId: string; version: number }) => {
  const api = useApi();
  const detail = useAsync(() => api.getVersion(notebookId, version), [notebookId, version]);
  return (
    <>
      <NotebookFrame
        title="Rendered notebook"
        load={(signal) => api.renderVersion(notebookId, version, signal)}
        loadKey={`${notebookId}@${version}`}
      />
      <h3>Parameters</h3>
      {detail.error ? <ErrorAlert error={detail.error} onRetry={() => detail.reload()} /> : null}
      {!detail.error && (detail.loading || !detail.data) ? <Loading label="Loading parameters…" /> : null}
      {detail.data && !detail.loading ? (
        <>
          <ParametersTable parameters={detail.data.parameters} />
          <p>
            <a href={detail.data.download.url} download>
              Download version {version} (.ipynb)
            </a>
          </p>
        </>
      ) : null}
    </>
  );
};

const ParametersTable = ({ parameters }: { parameters: Version['parameters'] }) => (
  <>
    {parameters.cellIndex === null ? (
      <p className="muted">
        No cell is tagged “parameters”, so runs take no parameters. Tag one code cell “parameters” in Jupyter to add
        them.
      </p>
    ) : null}
    <DataTable
      name="Parameters"
      hideName
      columns={['Name', 'Type', 'Default', 'Help']}
      rows={parameters.parameters}
      empty="No parameters."
      row={(p) => (
        <tr key={p.name}>
          <th scope="row">
            <code>{p.name}</code>
          </th>
          <td>{p.type}</td>
          <td>
            <code>{p.defaultSource}</code>
          </td>
          <td>{p.help}</td>
        </tr>
      )}
    />
    {parameters.problems.length ? (
      <details>
        <summary>
          {parameters.problems.length} line{parameters.problems.length === 1 ? '' : 's'} of the parameters cell{' '}
          {parameters.problems.length === 1 ? 'is' : 'are'} not a parameter
        </summary>
        <ul className="parameter-problems">
          {parameters.problems.map((p) => (
            <li key={`${p.line}:${p.text}`}>
              Line {p.line}: <code>{p.text}</code> — {p.reason}
            </li>
          ))}
        </ul>
      </details>
    ) : null}
  </>
);

const NotebookRuns = ({ notebookId }: { notebookId: string }) => {
  const api = useApi();
  const runs = useAsync(() => api.listRuns({ notebook: notebookId, limit: 20 }), [notebookId]);
  if (runs.error)
    return <ErrorAlert error={runs.error} title="Runs could not be listed" onRetry={() => runs.reload()} />;
  if (!runs.data) return <Loading label="Loading runs…" />;
  if (runs.data.items.length === 0) return <EmptyState>No runs of this notebook that you can see.</EmptyState>;
  return (
    <ul className="run-list" aria-label="Runs">
      {runs.data.items.map((run) => (
        <li key={run.id}>
          <p>
            <Link to={`/runs/${run.id}`}>Run of {formatDateTime(run.createdAt)}</Link>{' '}
            <span className={`badge badge-${run.status}`}>{formatStatus(run.status)}</span>
          </p>
          <p className="small muted">
            Version {run.version}, by {run.owner}
            {run.durationSeconds !== null ? `, took ${formatDuration(run.durationSeconds)}` : ''}
          </p>
        </li>
      ))}
    </ul>
  );
};
