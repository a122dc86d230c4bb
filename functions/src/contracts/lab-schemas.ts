import * as z from 'zod';
import { CommitVersionBody, CreateNotebookBody, NotebookIdParams, VersionParams } from './schemas.ts';
import { ServerNameParams } from './server-schemas.ts';

// The routes a server's own token may call for its owner (`/servers/{name}/lab/...`, JupyterLab's Orrery extension
// through its server-side handler): the same bodies and answers as the owner's routes, with the server's name in
// the path. Notebooks only come inline: a browser-form upload would need the user's browser, not the server.

const inline = CreateNotebookBody.shape.content.unwrap();

/** A server's name and a notebook id in a path. */
export const LabNotebookParams = ServerNameParams.extend(NotebookIdParams.shape);

/** A server's name, a notebook id and a version number in a path. */
export const LabVersionParams = ServerNameParams.extend(VersionParams.shape);

/** POST /servers/{name}/lab/notebooks: as POST /notebooks, with the content inline (required). */
export const LabCreateNotebookBody = CreateNotebookBody.extend({
  content: inline.describe('version 1, up to the inline limit (ORRERY_INLINE_MAX_BYTES)'),
});

/** POST /servers/{name}/lab/notebooks/{id}/versions: the next version inline. */
export const LabCommitVersionBody = z.strictObject({
  content: inline.describe('the version inline, up to the inline limit (ORRERY_INLINE_MAX_BYTES)'),
  message: CommitVersionBody.shape.message,
});

/** GET /servers/{name}/lab/tables. */
export const TablesQuery = z.strictObject({
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('only tables whose database, name or a column holds this, in any case'),
});

/** A code template filled in for one table, ready to run as a cell. */
export const TableTemplateSchema = z.object({
  id: z.string(),
  label: z.string(),
  language: z.enum(['python', 'sql']),
  code: z.string(),
});

/** A table a server's notebooks can read, with its columns and the code to query it. */
export const DataTableSchema = z.object({
  catalog: z.enum(['sqlite', 'glue']),
  database: z.string().describe('the Glue database, or the SQLite file (relative to the tables folder)'),
  name: z.string(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  location: z.string().optional().describe("where the data lives: the SQLite file's path, or the Glue table's S3 URI"),
  templates: z.array(TableTemplateSchema),
});

/** The tables answer: what the server may see, and a note for the panel when a catalog could not be listed. */
export const TablesSchema = z.object({
  items: z.array(DataTableSchema),
  note: z.string().optional().describe('why a catalog shows nothing (no AWS role, access refused, too many tables)'),
});
