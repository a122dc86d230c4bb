import { ConflictError, UnprocessableError, ValidationError } from '../domain/errors.ts';
import type { Notebook, NotebookVersion } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { loadWritable } from './notebook-access.ts';
import { acceptBody, inlineBytes, type AcceptedBody, type InlineContent } from './notebook-body.ts';

/** What storing a body as a notebook's next version needs. */
export type CommitBodyDeps = Pick<FoliumDeps, 'notebooks' | 'bodies' | 'clock'>;

/** What committing a version needs: the above, and the size limits of inline content and uploads. */
export type CommitVersionDeps = CommitBodyDeps & Pick<FoliumDeps, 'limits'>;

/** A commit: inline content, or an upload named by id with the sha256 the client computed. */
export interface CommitVersionInput {
  user: User;
  notebookId: string;
  message?: string;
  content?: InlineContent;
  uploadId?: string;
  sha256?: string;
}

// Twenty racing committers need at most twenty tries each; the bound only stops a runaway loop.
const MAX_ATTEMPTS = 64;

/**
 * Commits a new version of a notebook.
 * 1. Load the notebook; only its owner and admins may commit, never to an archived one.
 * 2. Take the body inline, or read the upload (its size checked before it is read; 409 when it was
 *    replaced meanwhile) and check its sha256 against the one named.
 * 3. Validate it as a notebook (422 with what is wrong), then store it content-addressed.
 * 4. Write version n+1 with a conditional put, retrying on a lost race; raise latestVersion.
 */
export const commitVersion = async (deps: CommitVersionDeps, input: CommitVersionInput): Promise<NotebookVersion> => {
  const notebook = await loadWritable(deps.notebooks, input.user, input.notebookId);
  const bytes =
    input.content !== undefined
      ? inlineBytes(input.content, deps.limits.inlineBytes)
      : await uploadedBytes(deps, input);
  const version = await commitBody(deps, notebook, input.user, acceptBody(bytes), input.message ?? '');
  await deps.notebooks.advanceLatestVersion(notebook.id, version.version, version.createdAt);
  if (input.uploadId) await deps.bodies.deleteUpload(notebook.id, input.uploadId);
  return version;
};

const uploadedBytes = async (deps: CommitVersionDeps, input: CommitVersionInput): Promise<Uint8Array> => {
  if (!input.uploadId || !input.sha256) {
    throw new ValidationError('send either content, or uploadId with sha256 (the hex sha256 of the uploaded file)');
  }
  const upload = await deps.bodies.readUpload(input.notebookId, input.uploadId, deps.limits.uploadBytes);
  if (!upload)
    throw new ConflictError(
      `nothing was uploaded for ${input.uploadId}; POST the file to the upload form first`,
      'upload_missing',
    );
  if (upload.sha256 !== input.sha256.toLowerCase()) {
    throw new UnprocessableError(
      `the uploaded file's sha256 is ${upload.sha256}, not the ${input.sha256} you named; ` +
        'upload the right file or name its hash',
      [{ path: 'sha256', message: 'does not match the upload' }],
      'hash_mismatch',
    );
  }
  return upload.bytes;
};

/**
 * Stores an accepted body and writes it as the notebook's next version; safe against racing commits. The caller raises
 * latestVersion.
 */
export const commitBody = async (
  deps: CommitBodyDeps,
  notebook: Notebook,
  author: User,
  body: AcceptedBody,
  message: string,
): Promise<NotebookVersion> => {
  const stored = await deps.bodies.putBody(body.bytes);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const next = (await deps.notebooks.highestVersion(notebook.id)) + 1;
    const version: NotebookVersion = {
      notebookId: notebook.id,
      version: next,
      author: author.id,
      message,
      sha256: stored.sha256,
      size: stored.size,
      createdAt: deps.clock.now().toISOString(),
      nbformat: body.summary.nbformat,
      nbformatMinor: body.summary.nbformatMinor,
      kernel: body.summary.kernel,
      parameters: body.parameters,
    };
    try {
      await deps.notebooks.putVersion(version);
    } catch (err) {
      if (err instanceof ConflictError && err.code === 'version_taken') continue;
      throw err;
    }
    return version;
  }
  throw new ConflictError(`too many commits raced on notebook ${notebook.id}; try again`, 'commit_contended');
};
