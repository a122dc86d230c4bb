import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one fault iteration did and found. */
export interface IterationRecord {
  n: number;
  op: string;
  fault: string;
  /** When the fault struck, ms after the operation began, and how long the killed part stayed down. */
  atMs: number;
  downMs: number;
  /** What was hit: e.g. how many connections were cut, whether the runner was still there. */
  hit: string;
  /** The HTTP statuses the client went through (0: no answer). */
  trace: string;
  outcome: string;
  problems: string[];
  ms: number;
}

// Column widths of the table; the last column (what was found) is as long as it needs.
const WIDTHS = [4, 16, 10, 12, 18, 30, 34, 7, 20];

const cell = (text: string, width: number) =>
  text.length > width - 1 ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);

/** The records as a compact table, one line per iteration, each broken invariant on a line of its own below. */
export const formatTable = (title: string, records: IterationRecord[]): string => {
  const row = (cells: string[]) => cells.map((c, i) => cell(c, WIDTHS[i]!)).join('');
  const lines = [title, row(['#', 'operation', 'fault', 'at/down ms', 'hit', 'statuses', 'outcome', 'ms', 'found'])];
  for (const r of records) {
    const found = r.problems.length ? `${r.problems.length} broken` : 'ok';
    lines.push(
      row([String(r.n), r.op, r.fault, `${r.atMs}/${r.downMs}`, r.hit, r.trace, r.outcome, String(r.ms), found]),
    );
    for (const p of r.problems) lines.push(`      ! ${p}`);
  }
  const broken = records.filter((r) => r.problems.length).length;
  lines.push(
    `${records.length} iterations, ${broken} with a broken invariant, ` +
      `${Math.round(records.reduce((s, r) => s + r.ms, 0) / 1000)} s`,
  );
  return lines.join('\n');
};

/** Writes the records as JSON beside other runs' reports (kept after the test's data folder goes); returns the path. */
export const writeReport = (suite: string, seed: number, records: IterationRecord[]): string => {
  // The run's own temporary directory goes when it ends (scripts/test/scratch-tmpdir.ts); reports outlive it.
  const dir = join(process.env.ORRERY_TEST_OUTER_TMPDIR ?? tmpdir(), 'orrery-fault-reports');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite}-seed-${seed}.json`);
  writeFileSync(file, `${JSON.stringify({ suite, seed, records }, null, 1)}\n`);
  return file;
};
