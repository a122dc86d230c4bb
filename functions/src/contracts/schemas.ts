import * as z from 'zod';
import { GROUP_PATTERN, LIMITS, TAG_PATTERN, VISIBILITIES } from '../domain/notebook.ts';

/** A notebook id in a path: server-made, so anything else (`..`, `%2e%2e`, slashes) is refused. */
export const NotebookIdParams = z.strictObject({
  id: z.string().regex(/^nb-[0-9a-z]{8,40}$/, "must be a notebook id such as 'nb-0123abcd…'"),
});

/** A notebook id and a version number in a path. */
export const VersionParams = NotebookIdParams.extend({
  v: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a version number (1, 2, …)')
    .transform(Number)
    .describe('the version number'),
});

const tags = z
  .array(
    z
      .string()
      .max(LIMITS.tagLength, `at most ${LIMITS.tagLength} characters`)
      .regex(TAG_PATTERN, 'must be a slug: lowercase letters, digits and single dashes'),
  )
  .max(LIMITS.tags, `at most ${LIMITS.tags} tags`)
  .describe('slugs to find it by; repeats are dropped');
const group = z
  .string()
  .max(LIMITS.groupLength)
  .regex(GROUP_PATTERN, "must be a path of slugs such as 'ads/reports'")
  .nullable()
  .describe("a folder-like path of slugs such as 'ads/reports'; null for none");
const visibility = z
  .enum(VISIBILITIES)
  .describe("who may read it: 'private' (owner and admins), 'team' (its team), 'org' (anyone signed in)");
const title = z.string().trim().min(1, 'must not be empty').max(LIMITS.titleLength);
const content = z
  .union([z.string(), z.record(z.string(), z.unknown())], {
    error: 'must be the notebook file as a string, or its JSON object',
  })
  .describe('the .ipynb file as text (kept byte for byte) or as its JSON object');
const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the 64-hex-digit sha256 of the uploaded file');

/** POST /notebooks. */
export const CreateNotebookBody = z.strictObject({
  title,
  description: z.string().max(LIMITS.descriptionLength).optional(),
  tags: tags.optional(),
  group: group.optional(),
  visibility: visibility.optional().describe(`${visibility.description}; default 'private'`),
  team: z
    .string()
    .max(128)
    .optional()
    .describe('the team it belongs to: one of yours (admins: any); default your first'),
  content: content
    .optional()
    .describe('version 1, up to the inline limit (ORRERY_INLINE_MAX_BYTES); without it, the answer has an upload form'),
  message: z.string().max(LIMITS.messageLength).optional().describe("version 1's message; default 'Initial version'"),
});

/** POST /notebooks/{id}/versions: inline content, or an upload id with the file's sha256. */
export const CommitVersionBody = z
  .strictObject({
    content: content
      .optional()
      .describe('the version inline, up to the inline limit (ORRERY_INLINE_MAX_BYTES); or send uploadId and sha256'),
    uploadId: z
      .string()
      .regex(/^up-[0-9a-z]{8,40}$/, 'must be an upload id from POST /notebooks/{id}/uploads')
      .optional()
      .describe('the upload the file was posted to (POST /notebooks/{id}/uploads)'),
    sha256: sha256.optional().describe('the hex sha256 of the uploaded file; required with uploadId'),
    message: z.string().max(LIMITS.messageLength).optional().describe('the version message'),
  })
  .refine((b) => (b.content !== undefined) !== (b.uploadId !== undefined), {
    message: 'send either content, or uploadId with sha256',
    path: ['content'],
  })
  .refine((b) => b.uploadId === undefined || b.sha256 !== undefined, {
    message: 'an upload commit must name the sha256 of the uploaded file',
    path: ['sha256'],
  });

/** PATCH /notebooks/{id}. */
export const PatchNotebookBody = z
  .strictObject({
    title: title.optional(),
    description: z.string().max(LIMITS.descriptionLength).optional(),
    tags: tags.optional(),
    group: group.optional(),
    visibility: visibility.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'change at least one of title, description, tags, group, visibility',
  });

const limit = z
  .string()
  .regex(/^[0-9]{1,3}$/, 'must be a whole number from 1 to 200')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200'))
  .optional()
  .default(50)
  .describe('how many items a page holds at most');
const cursor = z.string().max(2048).optional().describe("the previous page's nextCursor");

/** GET /notebooks. */
export const ListNotebooksQuery = z.strictObject({
  tag: z.string().max(LIMITS.tagLength).regex(TAG_PATTERN, 'must be a tag slug').optional().describe('only this tag'),
  group: z
    .string()
    .max(LIMITS.groupLength)
    .regex(GROUP_PATTERN, 'must be a group path')
    .optional()
    .describe('only this group'),
  owner: z
    .string()
    .max(128)
    .optional()
    .describe(
      "only this user's notebooks; with your own id, every one of yours, including team notebooks of a team you " +
        'have left (the list without a filter, and a tag or group filter, shows your private ones, your teams’ and ' +
        'the org’s)',
    ),
  q: z
    .string()
    .min(1)
    .max(LIMITS.titleLength)
    .optional()
    .describe(
      'only titles that start with this, in any case; listed by title, A to Z (with your own id as owner, ' +
        'newest first)',
    ),
  limit,
  cursor,
});

/** GET /notebooks/{id}/versions. */
export const PageQuery = z.strictObject({ limit, cursor });

/** `?version=` on routes that default to the latest version. */
export const VersionQuery = z.strictObject({
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a version number')
    .transform(Number)
    .optional()
    .describe('a version number; default the latest'),
});

/** A notebook as the API returns it. */
export const NotebookSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  group: z.string().nullable(),
  visibility: z.enum(VISIBILITIES),
  owner: z.string().describe("the owner's user id"),
  team: z.string().nullable().describe('the team it belongs to (a team notebook is shared with it)'),
  createdAt: z.string(),
  updatedAt: z.string(),
  latestVersion: z.number().describe('the newest version; 0 until the first is committed'),
  archived: z.boolean().describe('in no list once archived, readable by owner and admins only, and unchangeable'),
});

/** A presigned request the client makes straight to storage. */
export const PresignedSchema = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()).describe('headers to send with the request, as they are'),
  expiresAt: z.string(),
});

/** What parameter inference reports. */
export const ParametersSchema = z.object({
  cellIndex: z.number().nullable().describe('the code cell tagged `parameters`; null when there is none'),
  parameters: z
    .array(
      z.object({
        name: z.string(),
        type: z.string(),
        default: z.unknown(),
        defaultSource: z.string(),
        help: z.string(),
      }),
    )
    .describe('its assignments: type, default (and its exact source text), help from the trailing comment'),
  problems: z
    .array(z.object({ line: z.number(), text: z.string(), reason: z.string() }))
    .describe('lines of the cell that are not simple assignments; listed, never an error'),
});

/** One version of a notebook. */
export const VersionSchema = z.object({
  notebookId: z.string(),
  version: z.number(),
  author: z.string().describe('the user id of who committed it'),
  message: z.string(),
  sha256: z.string().describe("the body's sha256: versions with the same content share one stored body"),
  size: z.number().describe('bytes'),
  createdAt: z.string(),
  nbformat: z.number(),
  nbformatMinor: z.number(),
  kernel: z
    .object({ name: z.string().nullable(), displayName: z.string().nullable(), language: z.string().nullable() })
    .describe("the kernelspec of the notebook's metadata"),
  parameters: ParametersSchema,
});

/** A page of a list. */
export const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
