import { ConflictError } from '../../domain/errors.ts';
import { runListingKey, type Run, type RunStatus } from '../../domain/run.ts';
import type { RunChanges, RunSource, RunStore } from '../../ports/run-store.ts';

const inSource = (source: RunSource, run: Run) =>
  source.kind === 'owner'
    ? run.owner === source.owner
    : source.kind === 'notebook'
      ? run.notebookId === source.notebookId
      : run.status === source.status;

/** Runs in Maps, for unit tests; the contract suite keeps it honest with the DynamoDB store. */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, Run>();
  private readonly keys = new Map<string, { runId: string; expiresAt: string }>();

  async createRun(run: Run): Promise<void> {
    if (this.runs.has(run.id)) throw new ConflictError(`run ${run.id} exists`);
    this.runs.set(run.id, structuredClone(run));
  }

  async getRun(id: string): Promise<Run | null> {
    const run = this.runs.get(id);
    return run ? structuredClone(run) : null;
  }

  async moveRun(id: string, from: RunStatus[], changes: RunChanges): Promise<Run | null> {
    const run = this.runs.get(id);
    if (!run || !from.includes(run.status)) return null;
    Object.assign(run, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    return structuredClone(run);
  }

  async listRuns(
    source: RunSource,
    page: { before?: string; limit: number },
  ): Promise<{ items: Run[]; next?: string }> {
    const all = [...this.runs.values()]
      .filter((r) => inSource(source, r) && (page.before === undefined || runListingKey(r) < page.before))
      .sort((a, b) => (runListingKey(a) < runListingKey(b) ? 1 : -1));
    const items = all.slice(0, page.limit).map((r) => structuredClone(r));
    const last = items.at(-1);
    return { items, next: all.length > page.limit && last ? runListingKey(last) : undefined };
  }

  async countRuns(status: RunStatus, since: string): Promise<number> {
    return [...this.runs.values()].filter((r) => r.status === status && runListingKey(r) >= since).length;
  }

  async claimIdempotencyKey(
    scope: string,
    key: string,
    runId: string,
    now: string,
    expiresAt: string,
  ): Promise<string> {
    const id = `${scope}#${key}`;
    const held = this.keys.get(id);
    if (held && held.expiresAt > now) return held.runId;
    this.keys.set(id, { runId, expiresAt });
    return runId;
  }

  async releaseIdempotencyKey(scope: string, key: string, runId: string): Promise<void> {
    if (this.keys.get(`${scope}#${key}`)?.runId === runId) this.keys.delete(`${scope}#${key}`);
  }
}
