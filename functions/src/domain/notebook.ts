import type { ErrorDetail } from './errors.ts';
import type { KernelInfo } from './nbformat.ts';
import type { ParameterInference } from './parameters.ts';
import type { User } from './user.ts';

/** Who may read a notebook besides its owner and admins. */
export type Visibility = 'private' | 'team' | 'org';

/** The visibilities, in the order the API documents them. */
export const VISIBILITIES: readonly Visibility[] = ['private', 'team', 'org'];

/** A notebook in Folium: its metadata; bodies live in versions. */
export interface Notebook {
  id: string;
  title: string;
  description: string;
  tags: string[];
  group: string | null;
  visibility: Visibility;
  owner: string;
  team: string | null;
  createdAt: string;
  updatedAt: string;
  latestVersion: number;
  archived: boolean;
  archivedAt?: string;
}

/** One immutable version of a notebook's body. */
export interface NotebookVersion {
  notebookId: string;
  version: number;
  author: string;
  message: string;
  sha256: string;
  size: number;
  createdAt: string;
  nbformat: number;
  nbformatMinor: number;
  kernel: KernelInfo;
  parameters: ParameterInference;
}

/** Limits on notebook metadata; the API schemas and the domain agree on them. */
export const LIMITS = {
  titleLength: 200,
  descriptionLength: 4000,
  tags: 50,
  tagLength: 64,
  groupLength: 256,
  messageLength: 1000,
} as const;

/** A tag: lowercase slug, letters, digits and single dashes. */
export const TAG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A group: slash-separated slugs such as `ads/reports`. */
export const GROUP_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\/[a-z0-9]+(?:[-_][a-z0-9]+)*)*$/;

/** Checks a tag list and returns what is wrong with it, if anything. */
export const checkTags = (tags: string[]): ErrorDetail[] => {
  const problems: ErrorDetail[] = [];
  if (tags.length > LIMITS.tags)
    problems.push({ path: 'tags', message: `at most ${LIMITS.tags} tags, got ${tags.length}` });
  tags.forEach((tag, i) => {
    if (tag.length > LIMITS.tagLength || !TAG_PATTERN.test(tag)) {
      problems.push({
        path: `tags[${i}]`,
        message:
          `'${tag.slice(0, 80)}' is not a slug: ` +
          `use lowercase letters, digits and single dashes, at most ${LIMITS.tagLength} characters`,
      });
    }
  });
  return problems;
};

/** Sort key shared by every listing: newest first, ties broken by id. */
export const listingKey = (nb: Pick<Notebook, 'createdAt' | 'id'>): string => `${nb.createdAt}#${nb.id}`;

/** May this user read the notebook's metadata and versions? Archived ones only the owner and admins. */
export const canRead = (user: User, nb: Notebook): boolean => {
  if (user.admin || nb.owner === user.id) return true;
  if (nb.archived) return false;
  if (nb.visibility === 'org') return true;
  return nb.visibility === 'team' && nb.team !== null && user.teams.includes(nb.team);
};

/** May this user change the notebook (metadata, versions, archive)? */
export const canWrite = (user: User, nb: Notebook): boolean => user.admin || nb.owner === user.id;

/** The team a new notebook belongs to: the one asked for if the user is in it, else their first. */
export const teamFor = (user: User, requested?: string | null): string | null => {
  if (requested) return user.teams.includes(requested) || user.admin ? requested : null;
  return user.teams[0] ?? null;
};
