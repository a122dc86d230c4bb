// `npm run docs`: writes docs/api.md, the HTTP API reference, from the route table and the zod schemas that
// validate requests and feed /openapi.json, so the reference says what the code does and cannot go stale
// (scripts/docs/api-reference.test.ts fails when the committed file differs from what this writes).
// Run: node --import tsx scripts/docs/api-reference.ts
import { writeFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import {
  API_ROUTES,
  CredentialIssueSchema,
  CullSchema,
  NotebookSchema,
  ParametersSchema,
  PresignedSchema,
  ProfileSchema,
  RoleSchema,
  RunSchema,
  ServerSchema,
  UsageSchema,
  VersionSchema,
  type RouteGroup,
  type RouteSpec,
} from '#functions/contracts';
import { ERROR_STATUS } from '../../functions/src/http/error-status.ts';
import { fieldRows, shapeKey, typeText, type FieldRow, type JsonSchema, type ShapeNames } from './json-schema-text.ts';

/** Where the reference is written, from the repository root. */
export const API_REFERENCE_PATH = 'docs/api.md';

const ROOT = join(import.meta.dirname, '..', '..');

// The conversion /openapi.json makes (handlers/http/openapi.ts), so both describe the same schemas.
const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;

// Shapes several routes return, described once in the Shapes section; a route's answer names them.
const SHAPES: [string, z.ZodType | undefined][] = [
  ['Notebook', NotebookSchema],
  ['Version', VersionSchema],
  ['Parameters', ParametersSchema],
  ['Presigned', PresignedSchema],
  ['Upload', API_ROUTES.createUpload.response],
  ['Run', RunSchema],
  ['Profile', ProfileSchema],
  ['Server', ServerSchema],
  ['Cull', CullSchema],
  ['Usage', UsageSchema],
  ['Role', RoleSchema],
  ['CredentialIssue', CredentialIssueSchema],
];

const GROUPS: Record<RouteGroup, string> = {
  system: 'System',
  notebooks: 'Notebooks (the Folium archive)',
  runs: 'Runs',
  servers: 'Servers',
  admin: 'Admin',
  credentials: 'Credentials (temporary AWS keys)',
  schedules: 'Schedules',
};

const AUTH = { jwt: 'JWT', serverToken: 'server token', runToken: 'run token', none: 'none' } as const;

// What each error status means across the API; a status added to the error table must be explained here.
const STATUS_MEANING: Record<number, string> = {
  400:
    'the request is malformed: a field fails its schema, unknown fields or query parameters, a bad cursor, a body ' +
    'where none is taken, or parameters a run refuses; `details` lists each problem with its path',
  401: "no valid credentials: no token, an expired or foreign one, or a server token that is not the current launch's",
  403:
    'you are known but may not do this: change a notebook you may only read, read admin pages without being an ' +
    'admin, report activity for another server, assume a role you do not hold (or that does not exist: the same ' +
    "answer) or start a run with one, ask for a run's keys with a wrong token or after it ended, or AWS refused to " +
    'let Orrery assume a role',
  404: 'it does not exist, or you may not know that it does (a notebook you may not read is a 404, never a 403)',
  409:
    'it conflicts with the current state: an archived notebook, a finished run, a server that is not running or ' +
    'already is, the per-user server limit, an upload replaced meanwhile, a reused idempotency key, keys for a run ' +
    'started without a role',
  413:
    'too large: a request body over the size limit, inline content over the inline limit, an upload or a run ' +
    'output over the upload limit',
  422:
    'well-formed but not acceptable: a body that is not an nbformat 4 notebook (`details` names each problem), an ' +
    'upload whose sha256 is not the one named',
  429:
    "too many requests: the stage's throttle, the web ACL's per-address rate rule in front of `/api/*`, or AWS STS " +
    'throttling the credential broker',
  503:
    'something the platform depends on is unavailable: the Kubernetes API, servers not configured here, a stored ' +
    'body that fails its integrity check, AWS STS (or no AWS credentials for the broker in local mode: the message ' +
    'says what to set), the credential log',
};

/** How a route is authenticated. */
export const authOf = (spec: RouteSpec): string => {
  if (spec.serverToken) return AUTH.serverToken;
  if (spec.runToken) return AUTH.runToken;
  return spec.auth ? AUTH.jwt : AUTH.none;
};

/**
 * The error statuses a route can answer: 400 when it takes input (a bad field, or a body it does not take),
 * 401 when it needs credentials, 413 when it takes a body, and those its use case declares in the route table.
 * Any route may also answer 429 (throttles) and 500, which the reference says once.
 */
export const errorStatusesOf = (spec: RouteSpec): number[] => {
  const statuses = new Set(spec.errors ?? []);
  if (spec.params || spec.query || spec.body || spec.method !== 'GET') statuses.add(400);
  if (spec.auth || spec.serverToken || spec.runToken) statuses.add(401);
  if (spec.body) statuses.add(413);
  return [...statuses].sort((a, b) => a - b);
};

// A table cell: pipes escaped so unions keep their column, and `<` outside code spans so `<id>` is not read as HTML.
const cell = (text: string) =>
  text
    .split('`')
    .map((part, i) => (i % 2 ? part : part.replaceAll('<', '&lt;')))
    .join('`')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ');
const code = (text: string) => (text ? `\`${text}\`` : '');
const row = (...cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;

// GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes.
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replaceAll(' ', '-');

const headingOf = (spec: RouteSpec) => `${spec.method} ${spec.path}`;

const fieldTable = (title: string, rows: FieldRow[]): string[] => {
  if (!rows.length) return [];
  return [
    `${title}:`,
    '',
    '| field | type | required | limits, default | what |',
    '|---|---|---|---|---|',
    ...rows.map((r) => row(`\`${r.name}\``, code(r.type), r.required ? 'yes' : 'no', r.limits, r.description)),
    '',
  ];
};

const rowsOf = (schema: z.ZodType | undefined, names: ShapeNames): FieldRow[] =>
  schema ? fieldRows(schemaOf(schema, 'input'), schemaOf(schema, 'output'), names) : [];

const successOf = (spec: RouteSpec, names: ShapeNames): string => {
  const status = `${spec.status} ${STATUS_CODES[spec.status] ?? ''}`.trim();
  if (spec.produces) return `${status}, \`${spec.produces}\``;
  if (!spec.response) return `${status}, JSON`;
  // A list item, not a table cell: its pipes stay as they are.
  return `${status}, ${code(typeText(schemaOf(spec.response, 'output'), names))}`;
};

const routeSection = (name: string, spec: RouteSpec, names: ShapeNames): string[] => [
  `### ${headingOf(spec)}`,
  '',
  `${spec.summary}.`,
  '',
  `- Operation: \`${name}\``,
  `- Auth: ${authOf(spec)}`,
  `- Success: ${successOf(spec, names)}`,
  `- Errors: ${errorStatusesOf(spec).join(', ') || 'none of its own'}`,
  '',
  ...fieldTable('Path parameters', rowsOf(spec.params, names)),
  ...fieldTable('Query parameters', rowsOf(spec.query, names)),
  ...fieldTable('Body (JSON)', rowsOf(spec.body, names)),
];

const shapeSection = (name: string, names: ShapeNames): string[] => {
  const schema = names.schemas.get(name)!;
  const required = schema.required ?? [];
  const rows = Object.entries(schema.properties ?? {}).map(([field, s]) =>
    row(`\`${field}${required.includes(field) ? '' : '?'}\``, code(typeText(s, names)), s.description ?? ''),
  );
  const about = schema.description ? [`${schema.description}.`, ''] : [];
  return [`### ${name}`, '', ...about, '| field | type | what |', '|---|---|---|', ...rows, ''];
};

const PREAMBLE = [
  '# HTTP API reference',
  '',
  '<!-- Generated by scripts/docs/api-reference.ts from the route table (functions/src/contracts/api-routes.ts)',
  '     and its zod schemas. Do not edit by hand: change the table or the schemas, then run `npm run docs`. -->',
  '',
  'Every route of the Orrery API, generated from the route table and the zod schemas that validate requests, the',
  'same ones `GET /openapi.json` describes as OpenAPI 3.1 (import it into any OpenAPI tool for a client or a',
  'rendered page). How notebooks, runs and servers behave is in [the architecture](architecture.md).',
  '',
  '- **Where**: locally (`npm start`) under `http://127.0.0.1:8080/api`; in the cloud under `/api` of the portal',
  "  (CloudFront forwards it) or of the API's own execute-api address, whose stage is `api`.",
  '- **Auth**: *JWT* routes need `Authorization: Bearer <JWT>` from the identity provider (locally,',
  '  `npm run token -- <user>`). The *server token* route takes `Authorization: token <server token>`, the token a',
  "  server got at launch; it opens only that server's activity route. Routes with auth *none* are open.",
  '- **Requests**: bodies are JSON (`Content-Type: application/json`). Unknown body fields, and unknown query',
  '  parameters on a route that takes some, are refused with a 400 rather than ignored. Query and path values are',
  '  text; where a field below says `integer`, send its digits.',
  '- **Paged lists** take `limit` and an opaque `cursor` and answer `{ items, nextCursor }`; pass `nextCursor` back',
  '  as `cursor` for the next page. A page may hold fewer items than `limit` and still have a `nextCursor`: only',
  '  `null` means the end.',
  '- **Errors** are `{ "error": "<code>", "message": "…", "requestId": "…", "details"?: [{ "path", "message" }] }`',
  '  (`details` with some 400s and 422s): `error` is a stable code to match on, `message` says what to fix. Each',
  '  route lists the statuses it can answer; any route may also answer 429 when throttled and 500 (an internal',
  '  error that says nothing but its request id: quote it when you report it). In the cloud API Gateway answers a',
  '  missing or invalid JWT itself with 401 `{ "message": "Unauthorized" }`, and its stage throttle with 429',
  '  `{ "message": "Too Many Requests" }`.',
  '',
];

const statusTable = (): string[] => {
  const statuses = [...ERROR_STATUS.map(([, status]) => status)].sort((a, b) => a - b);
  const missing = statuses.filter((s) => !STATUS_MEANING[s]);
  if (missing.length) throw new Error(`explain status ${missing.join(', ')} in STATUS_MEANING of ${import.meta.url}`);
  const rows = statuses.map((s) => row(`${s} ${STATUS_CODES[s]}`, STATUS_MEANING[s]!));
  return ['| status | means |', '|---|---|', ...rows, ''];
};

const shapeNames = (): ShapeNames => {
  const schemas = new Map<string, JsonSchema>();
  for (const [name, schema] of SHAPES) if (schema) schemas.set(name, schemaOf(schema, 'output'));
  return { schemas, byKey: new Map([...schemas].map(([name, s]) => [shapeKey(s), name])), used: new Set() };
};

/** The whole reference as Markdown: preamble, error statuses, an index, each route by group, then the shapes. */
export const renderApiReference = (): string => {
  const routes = Object.entries(API_ROUTES) as [string, RouteSpec][];
  const names = shapeNames();
  const link = (spec: RouteSpec) => `[${headingOf(spec)}](#${anchorOf(headingOf(spec))})`;
  const index = routes.map(([, spec]) => row(link(spec), authOf(spec), spec.summary));
  const sections = (Object.keys(GROUPS) as RouteGroup[]).flatMap((group) => {
    const members = routes.filter(([, spec]) => spec.group === group);
    if (!members.length) return [];
    return [`## ${GROUPS[group]}`, '', ...members.flatMap(([name, spec]) => routeSection(name, spec, names))];
  });
  const shapes: string[] = [];
  // Shapes name other shapes (a Version holds Parameters), so the list grows while it is written.
  for (let i = 0; i < names.used.size; i += 1) shapes.push(...shapeSection([...names.used][i]!, names));
  const lines = [
    ...PREAMBLE,
    '## Error statuses',
    '',
    ...statusTable(),
    '## Routes',
    '',
    '| route | auth | what |',
    '|---|---|---|',
    ...index,
    '',
    ...sections,
    '## Shapes',
    '',
    'What the routes above answer with, by name.',
    '',
    ...shapes,
  ];
  return `${lines.join('\n').trimEnd()}\n`;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(join(ROOT, API_REFERENCE_PATH), renderApiReference());
  console.log(`wrote ${API_REFERENCE_PATH} (${Object.keys(API_ROUTES).length} routes)`);
}
