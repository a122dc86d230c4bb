import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, route, type RouteSpec } from '#functions/contracts';
import { ERROR_STATUS } from '../../functions/src/http/error-status.ts';
import { API_REFERENCE_PATH, errorStatusesOf, renderApiReference } from './api-reference.ts';
import { fieldRows, type ShapeNames } from './json-schema-text.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ROUTES = Object.entries(API_ROUTES as Record<string, RouteSpec>);
const headingOf = (spec: RouteSpec) => `${spec.method} ${spec.path}`;
// The shapes several routes return, each of which the reference must describe once.
const SHAPES = 'Notebook Version Parameters Presigned Upload Run Profile Server Cull Usage'.split(' ');

// The lines of one route's section, from its heading to the next heading.
const sectionOf = (doc: string, heading: string): string => {
  const start = doc.indexOf(`\n### ${heading}\n`);
  const end = doc.indexOf('\n### ', start + 1);
  return start < 0 ? '' : doc.slice(start, end < 0 ? undefined : end);
};

// The number of cells of a Markdown table row: its pipes that are not escaped.
const cellsOf = (row: string): number => row.replace(/\\\|/g, '').split('|').length;

const noNames = (): ShapeNames => ({ byKey: new Map(), schemas: new Map(), used: new Set() });

describe('the API reference (docs/api.md)', () => {
  it('is committed exactly as the route table and its schemas generate it', () => {
    // Prepare
    const committed = readFileSync(join(ROOT, API_REFERENCE_PATH), 'utf8').split('\n');
    const generated = renderApiReference().split('\n');

    // Act
    const line = generated.findIndex((text, i) => committed[i] !== text);
    const differs = line >= 0 || committed.length !== generated.length;

    // Assess
    const where = line >= 0 ? `first at line ${line + 1}` : 'in its length';
    const message = `${API_REFERENCE_PATH} is not what the route table generates (${where}): run \`npm run docs\``;
    expect(differs, message).toBe(false);
  });

  it('has a section for every route of the table, with its auth, success status and operation name', () => {
    // Prepare
    const doc = renderApiReference();

    // Act
    const sections = ROUTES.map(([name, spec]) => ({ name, spec, text: sectionOf(doc, headingOf(spec)) }));

    // Assess
    for (const { name, spec, text } of sections) {
      expect(text, `${name} has no section`).not.toBe('');
      expect(text).toContain(`- Operation: \`${name}\``);
      expect(text).toContain(`- Success: ${spec.status} `);
      const auth = spec.serverToken ? 'server token' : spec.runToken ? 'run token' : spec.auth ? 'JWT' : 'none';
      expect(text).toContain(`- Auth: ${auth}`);
    }
  });

  it('gives each route the error statuses its input and auth imply, and those its use case declares', () => {
    // Prepare
    const base = { path: '/x', group: 'system', summary: 'x', status: 200 } as const;
    const open = route({ ...base, method: 'GET', auth: false });
    const withBody = route({ ...base, method: 'POST', auth: true, body: z.object({}), errors: [409] });
    const serverToken = route({ ...base, method: 'POST', auth: false, serverToken: true });
    const query = route({ ...base, method: 'GET', auth: true, query: z.object({}), errors: [403] });

    // Act
    const statuses = [open, withBody, serverToken, query].map((spec) => errorStatusesOf(spec));

    // Assess
    expect(statuses).toEqual([[], [400, 401, 409, 413], [400, 401], [400, 401, 403]]);
    const commit = sectionOf(renderApiReference(), 'POST /notebooks/{id}/versions');
    expect(commit).toContain('- Errors: 400, 401, 403, 404, 409, 413, 422\n');
  });

  it('declares for routes only error statuses the error table can produce', () => {
    // Prepare
    const known = new Set(ERROR_STATUS.map(([, status]) => status));

    // Act
    const declared = ROUTES.flatMap(([name, spec]) => (spec.errors ?? []).map((status) => [name, status] as const));
    const unknown = declared.filter(([, status]) => !known.has(status));

    // Assess
    expect(unknown).toEqual([]);
  });

  it('shows the limits and defaults a query value keeps after the schema turns its text into a number', () => {
    // Prepare
    const doc = renderApiReference();

    // Act
    const list = sectionOf(doc, 'GET /notebooks');
    const progress = sectionOf(doc, 'GET /servers/{name}/progress');

    // Assess
    expect(list).toMatch(/\| `limit` \| `integer` \| no \| 1–200; default `50` \| /);
    expect(progress).toMatch(/\| `after` \| `integer` \| no \| ≥ 0 \| /);
  });

  it('flattens nested body fields into dotted rows, each with its own type and limits', () => {
    // Prepare
    const body = z.strictObject({
      overrides: z.strictObject({ cpu: z.union([z.string().max(32), z.number()]).optional() }).optional(),
      kernels: z.array(z.strictObject({ state: z.string().max(32).describe('what the kernel does') })).max(500),
      seen: z.string().max(10).nullable().optional(),
    });
    const io = (how: 'input' | 'output') => z.toJSONSchema(body, { io: how, unrepresentable: 'any' }) as never;

    // Act
    const rows = fieldRows(io('input'), io('output'), noNames());

    // Assess
    expect(rows.map((r) => [r.name, r.type, r.required, r.limits, r.description])).toEqual([
      ['overrides', 'object', false, '', ''],
      ['overrides.cpu', 'string | number', false, '', ''],
      ['kernels', 'object[]', true, '≤ 500 items', ''],
      ['kernels[].state', 'string', true, '≤ 32 chars', 'what the kernel does'],
      ['seen', 'string | null', false, '≤ 10 chars', ''],
    ]);
  });

  it('names the shapes routes share and describes each of them once', () => {
    // Prepare
    const doc = renderApiReference();

    // Act
    const version = sectionOf(doc, 'GET /notebooks/{id}/versions/{v}');
    const headings = doc.split('\n').filter((l) => l.startsWith('### '));

    // Assess
    expect(version).toContain('- Success: 200 OK, `Version & { download: Presigned }`');
    for (const shape of SHAPES) {
      expect(
        headings.filter((h) => h === `### ${shape}`),
        shape,
      ).toHaveLength(1);
    }
  });

  it('escapes the pipes of union types, so every row of a table has as many cells as its header', () => {
    // Prepare
    const lines = renderApiReference().split('\n');

    // Act
    const broken: string[] = [];
    let width = 0;
    lines.forEach((line, i) => {
      if (!line.startsWith('|')) return;
      // A table's first row is its header: the width every row below it must keep.
      if (!lines[i - 1]?.startsWith('|')) width = cellsOf(line);
      else if (cellsOf(line) !== width) broken.push(line.slice(0, 80));
    });

    // Assess
    expect(broken).toEqual([]);
  });
});
