import { ValidationError } from '../domain/errors.ts';
import { checkTags, teamFor, type Notebook, type NotebookVersion, type Visibility } from '../domain/notebook.ts';
import type { User } from '../domain/user.ts';
import { commitBody, type CommitBodyDeps } from './commit-version.ts';
import { presignNextUpload, type PresignUploadDeps, type Upload } from './create-upload.ts';
import type { FoliumDeps } from './folium-deps.ts';
import { acceptBody, inlineBytes, type InlineContent } from './notebook-body.ts';

/** What creating a notebook needs: a first version committed inline, or an upload form for it. */
export type CreateNotebookDeps = CommitBodyDeps & PresignUploadDeps & Pick<FoliumDeps, 'clock' | 'ids' | 'limits'>;

/** What a caller sends to create a notebook. */
export interface CreateNotebookInput {
  user: User;
  title: string;
  description?: string;
  tags?: string[];
  group?: string | null;
  visibility?: Visibility;
  team?: string | null;
  content?: InlineContent;
  message?: string;
}

/** The created notebook, its first version when content came inline, else an upload for it. */
export interface CreatedNotebook {
  notebook: Notebook;
  version: NotebookVersion | null;
  upload: Upload | null;
}

/**
 * Creates a notebook.
 * 1. Check tags, team and visibility; validate inline content as a notebook before anything is written.
 * 2. With content: store the body and write version 1, then the notebook itself (the commit point).
 * 3. Without: write the notebook with no version and return a presigned upload form for version 1.
 */
export const createNotebook = async (
  deps: CreateNotebookDeps,
  input: CreateNotebookInput,
): Promise<CreatedNotebook> => {
  const tags = [...new Set(input.tags ?? [])];
  const problems = checkTags(tags);
  if (problems.length) throw new ValidationError(problems.map((p) => p.message).join('; '), problems);
  const visibility = input.visibility ?? 'private';
  const team = teamFor(input.user, input.team);
  if (input.team && !team)
    throw new ValidationError(`you are not in team '${input.team}'`, [
      { path: 'team', message: 'not one of your teams' },
    ]);
  if (visibility === 'team' && !team)
    throw new ValidationError(`visibility 'team' needs a team, and you are in none; use 'private' or 'org'`);
  const body = input.content === undefined ? null : acceptBody(inlineBytes(input.content, deps.limits.inlineBytes));
  const now = deps.clock.now().toISOString();
  const notebook: Notebook = {
    id: deps.ids.next('nb'),
    title: input.title,
    description: input.description ?? '',
    tags,
    group: input.group ?? null,
    visibility,
    owner: input.user.id,
    team,
    createdAt: now,
    updatedAt: now,
    latestVersion: body ? 1 : 0,
    archived: false,
  };
  const version = body ? await commitBody(deps, notebook, input.user, body, input.message ?? 'Initial version') : null;
  await deps.notebooks.createNotebook(notebook);
  if (version) return { notebook, version, upload: null };
  return { notebook, version: null, upload: await presignNextUpload(deps, notebook.id) };
};
