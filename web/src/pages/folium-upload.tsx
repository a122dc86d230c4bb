import { useId, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { Notebook } from '../api-client.ts';
import { FieldError, FormError } from '../components/form-error.tsx';
import { UploadDrop } from '../components/upload-drop.tsx';
import { VisibilityOptions } from '../notebook-fields.tsx';
import { readNotebookFile, titleFromFileName, uploadFailureText, uploadVersion } from '../notebook-upload.ts';
import { useApi } from '../session-context.tsx';
import { useUnmountSignal } from '../use-async.ts';
import './folium.css';

type Phase = 'idle' | 'creating' | 'uploading' | 'committing';

const PHASE_TEXT: Record<Phase, string> = {
  idle: '',
  creating: 'Creating the notebook…',
  uploading: 'Uploading…',
  committing: 'Checking the notebook and inferring its parameters…',
};

/** Reads a chosen file: its bytes and, if it is not a notebook, why (shown beside the file input). */
const useChosenFile = (signal: () => AbortSignal) => {
  const [file, setFile] = useState<File | null>(null);
  const [bytes, setBytes] = useState<ArrayBuffer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const latest = useRef<File | null>(null);
  const choose = async (next: File | null) => {
    latest.current = next;
    setFile(next);
    setBytes(null);
    setProblem(null);
    if (!next) return;
    const read = await readNotebookFile(next).catch((err: unknown) => ({
      bytes: null,
      problem: `${next.name} could not be read: ${(err as Error).message}`,
    }));
    // A file chosen while this one was read wins; so does leaving the page.
    if (latest.current !== next || signal().aborted) return;
    setBytes(read.bytes);
    setProblem(read.problem);
  };
  return { file, bytes, problem, choose };
};

/**
 * Uploads a new notebook: create it, POST the file straight to storage (progress shown while it goes), commit
 * version 1, then open its page. Nothing half-made is left behind: if the upload or the commit fails after the
 * notebook was created, the empty notebook is archived at once (so it never shows in lists with no version). The
 * message says what was wrong with the file and what to do; an archive that fails too is said, with the id.
 */
export const FoliumUpload = () => {
  const api = useApi();
  const navigate = useNavigate();
  const ids = { title: useId(), visibility: useId(), fileError: useId(), titleError: useId() };
  const alive = useUnmountSignal();
  const chosen = useChosenFile(alive);
  const [title, setTitle] = useState('');
  const [titleEdited, setTitleEdited] = useState(false);
  const [visibility, setVisibility] = useState<Notebook['visibility']>('private');
  const [phase, setPhase] = useState<Phase>('idle');
  const [progress, setProgress] = useState(0);
  const [errors, setErrors] = useState<{ file?: string; title?: string; form?: string }>({});
  const onFile = (file: File | null) => {
    void chosen.choose(file);
    setErrors({});
    setProgress(0);
    if (file && !titleEdited) setTitle(titleFromFileName(file.name));
  };

  const check = (): typeof errors => {
    const found: typeof errors = {};
    if (!chosen.file) found.file = 'Choose a notebook file (.ipynb).';
    else if (chosen.problem) found.file = chosen.problem;
    else if (!chosen.bytes) found.file = 'Still reading the file; try again in a moment.';
    if (!title.trim()) found.title = 'Give the notebook a title.';
    return found;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = check();
    setErrors(found);
    if (Object.keys(found).length > 0 || !chosen.bytes) return;
    const signal = alive();
    let created: Notebook | null = null;
    try {
      setPhase('creating');
      setProgress(0);
      const answer = await api.createNotebook({ title: title.trim(), visibility });
      created = answer.notebook;
      setPhase('uploading');
      await uploadVersion(
        api,
        { notebookId: created.id, bytes: chosen.bytes, upload: answer.upload },
        (fraction) => {
          if (!signal.aborted) setProgress(fraction);
          if (fraction >= 1 && !signal.aborted) setPhase('committing');
        },
        signal,
      );
      if (!signal.aborted) navigate(`/notebooks/${created.id}`);
    } catch (err) {
      const left = created ? await archiveQuietly(created) : '';
      if (signal.aborted) return;
      setPhase('idle');
      setProgress(0);
      const name = chosen.file?.name ?? 'The file';
      setErrors({
        form: created
          ? `${uploadFailureText(name, err)}${left}`
          : `The notebook could not be created: ${(err as Error).message}`,
      });
    }
  };

  // The notebook made for a failed upload has no version: archived at once, said only when that fails too.
  const archiveQuietly = async (made: Notebook): Promise<string> => {
    try {
      await api.archiveNotebook(made.id);
      return '';
    } catch {
      return ` A notebook “${made.title}” (${made.id}) was left without a version; archive it from its page.`;
    }
  };

  const busy = phase !== 'idle';
  // A file that is not a notebook is said as soon as it is read, not only on Upload.
  const fileError = errors.file ?? chosen.problem ?? undefined;
  return (
    <form className="card upload-form" onSubmit={submit} noValidate aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload a notebook</h2>
      <UploadDrop
        inputLabel="Notebook file"
        file={chosen.file}
        onFile={onFile}
        disabled={busy}
        errorId={fileError ? ids.fileError : undefined}
      />
      {fileError ? (
        <FieldError id={ids.fileError} announce>
          {fileError}
        </FieldError>
      ) : null}
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.title}>Title</label>
          <input
            id={ids.title}
            value={title}
            maxLength={200}
            disabled={busy}
            aria-invalid={errors.title ? true : undefined}
            aria-describedby={errors.title ? ids.titleError : undefined}
            onChange={(e) => {
              setTitle(e.target.value);
              setTitleEdited(true);
            }}
          />
          {errors.title ? (
            <FieldError id={ids.titleError} announce>
              {errors.title}
            </FieldError>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={ids.visibility}>Visibility</label>
          <select
            id={ids.visibility}
            value={visibility}
            disabled={busy}
            onChange={(e) => setVisibility(e.target.value as Notebook['visibility'])}
          >
            <VisibilityOptions />
          </select>
        </div>
      </div>
      <div className="upload-status">
        {busy ? <progress aria-label="Upload progress" max={1} value={progress} /> : null}
        <span className="small muted" aria-live="polite">
          {busy ? `${PHASE_TEXT[phase]} ${Math.round(progress * 100)}%` : ''}
        </span>
      </div>
      <FormError messages={errors.form ? [errors.form] : []} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Upload
        </button>
      </div>
    </form>
  );
};
