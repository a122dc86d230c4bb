import { useId, useState, type FormEvent } from 'react';
import type { Version } from '../api-client.ts';
import { FieldError, FormError } from '../components/form-error.tsx';
import { UploadDrop } from '../components/upload-drop.tsx';
import { EmptyState, ErrorAlert, Loading } from '../components/states.tsx';
import { formatBytes, formatDateTime } from '../format.ts';
import { readNotebookFile, uploadFailureText, uploadVersion } from '../notebook-upload.ts';
import { useApi } from '../session-context.tsx';
import { useAsync, useUnmountSignal } from '../use-async.ts';
import './folium.css';

/** Every version of a notebook, oldest first as the API pages them; `reloadKey` refetches after a new one. */
export const VersionList = ({
  notebookId,
  selected,
  onSelect,
  reloadKey,
}: {
  notebookId: string;
  selected: number;
  onSelect: (v: number) => void;
  reloadKey: number;
}) => {
  const api = useApi();
  const versions = useAsync(async () => {
    const items: Version[] = [];
    let cursor: string | undefined;
    // Versions are small; a notebook with hundreds of them is read in a few pages of 200.
    for (let page = 0; page < 10; page += 1) {
      const answer = await api.listVersions(notebookId, { limit: 200, ...(cursor ? { cursor } : {}) });
      items.push(...answer.items);
      if (!answer.nextCursor) break;
      cursor = answer.nextCursor;
    }
    return items.reverse();
  }, [notebookId, reloadKey]);

  if (versions.error)
    return <ErrorAlert error={versions.error} title="Versions could not be listed" onRetry={() => versions.reload()} />;
  if (!versions.data) return <Loading label="Loading versions…" />;
  if (versions.data.length === 0) return <EmptyState>No version yet: upload the notebook file below.</EmptyState>;
  return (
    <ul className="version-list" aria-label="Versions">
      {versions.data.map((v) => (
        <li key={v.version} aria-current={v.version === selected ? 'true' : undefined}>
          <p>
            <strong>Version {v.version}</strong>{' '}
            <span className="muted small">{v.version === selected ? '(shown)' : ''}</span>
          </p>
          <p>{v.message || <span className="muted">No message</span>}</p>
          <p className="small muted">
            {v.author}, <time dateTime={v.createdAt}>{formatDateTime(v.createdAt)}</time>, {formatBytes(v.size)}
          </p>
          {v.version !== selected ? (
            <button type="button" className="link" onClick={() => onSelect(v.version)}>
              Show version {v.version}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
};

/** Uploads a new version with a message: straight to storage with progress, then the commit. */
export const NewVersionForm = ({
  notebookId,
  onCommitted,
}: {
  notebookId: string;
  onCommitted: (v: Version) => void;
}) => {
  const api = useApi();
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [message, setMessage] = useState('');
  const [progress, setProgress] = useState(0);
  const [busy, setBusy] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const alive = useUnmountSignal();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    setDone(null);
    if (!file) return setFileError('Choose the new version’s notebook file (.ipynb).');
    const signal = alive();
    setBusy(true);
    setProgress(0);
    try {
      const read = await readNotebookFile(file);
      if (signal.aborted) return;
      if (read.problem) return setFileError(read.problem);
      setFileError(null);
      const version = await uploadVersion(
        api,
        { notebookId, bytes: read.bytes, message: message.trim() },
        (f) => !signal.aborted && setProgress(f),
        signal,
      );
      if (signal.aborted) return;
      setFile(null);
      setMessage('');
      setDone(`Version ${version.version} uploaded.`);
      onCommitted(version);
    } catch (err) {
      // A failed upload commits nothing: the notebook keeps its versions, and the form can be sent again.
      if (!signal.aborted)
        setFormError(`The new version was not saved. ${uploadFailureText(file.name, err, 'Upload version')}`);
    } finally {
      if (!signal.aborted) setBusy(false);
    }
  };

  return (
    <form className="card upload-form" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>New version</h3>
      <UploadDrop
        inputLabel="New version file"
        zoneLabel="Drop a new version here or choose a file"
        file={file}
        onFile={(f) => {
          setFile(f);
          setFileError(null);
          setDone(null);
        }}
        disabled={busy}
        errorId={fileError ? `${id}-file-error` : undefined}
      />
      {fileError ? (
        <FieldError id={`${id}-file-error`} announce>
          {fileError}
        </FieldError>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-message`}>Version message</label>
        <input
          id={`${id}-message`}
          value={message}
          maxLength={1000}
          disabled={busy}
          onChange={(e) => setMessage(e.target.value)}
          aria-describedby={`${id}-message-hint`}
        />
        <p id={`${id}-message-hint`} className="hint">
          What changed, for whoever reads the history.
        </p>
      </div>
      <div className="upload-status">
        {busy ? <progress aria-label="Upload progress" max={1} value={progress} /> : null}
        <span className="small muted" aria-live="polite">
          {busy ? `Uploading… ${Math.round(progress * 100)}%` : (done ?? '')}
        </span>
      </div>
      <FormError messages={formError ? [formError] : []} />
      <button type="submit" disabled={busy}>
        Upload version
      </button>
    </form>
  );
};
