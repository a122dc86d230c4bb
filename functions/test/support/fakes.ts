import { MemoryBodyStore } from '../../src/adapters/memory/memory-body-store.ts';
import { MemoryNotebookStore } from '../../src/adapters/memory/memory-notebook-store.ts';
import { MemoryRunFiles } from '../../src/adapters/memory/memory-run-files.ts';
import { MemoryRunStore } from '../../src/adapters/memory/memory-run-store.ts';
import type { Workflows } from '../../src/ports/workflows.ts';
import { DEFAULT_RUN_SETTINGS } from '../../src/use-cases/run-deps.ts';
import { HmacCursorCodec } from '../../src/adapters/system/hmac-cursor-codec.ts';
import type { User } from '../../src/domain/user.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { Ids } from '../../src/ports/ids.ts';
import { DEFAULT_LIMITS, type FoliumDeps } from '../../src/use-cases/folium-deps.ts';

/** A clock tests move by hand; starts at a fixed instant. */
export class FakeClock implements Clock {
  constructor(private current = new Date('2026-01-05T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  /** Moves time forward. */
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Ids that count up, shaped like the real ones (`nb-` and 16 base32 characters). */
export class SequentialIds implements Ids {
  private n = 0;
  next(prefix: string): string {
    this.n += 1;
    return `${prefix}-${String(this.n).padStart(16, '0')}`;
  }
}

/** Folium deps on memory adapters, a fake clock that ticks a millisecond per read, and counting ids. */
export const memoryDeps = (): FoliumDeps & { notebooks: MemoryNotebookStore; bodies: MemoryBodyStore; clock: FakeClock } => {
  const clock = new FakeClock();
  const ticking = Object.assign(clock, {
    now: () => {
      const t = FakeClock.prototype.now.call(clock);
      clock.advance(1);
      return t;
    },
  });
  return {
    notebooks: new MemoryNotebookStore(),
    bodies: new MemoryBodyStore(),
    clock: ticking,
    ids: new SequentialIds(),
    cursors: new HmacCursorCodec('test-secret-test-secret'),
    limits: DEFAULT_LIMITS,
  };
};

/** The people of the access matrix. */
export const people = {
  alice: { id: 'alice', name: 'Alice', teams: ['ads'], admin: false },
  amir: { id: 'amir', name: 'Amir', teams: ['ads'], admin: false },
  bob: { id: 'bob', name: 'Bob', teams: ['risk'], admin: false },
  root: { id: 'root', name: 'Root', teams: [], admin: true },
  loner: { id: 'loner', name: 'Loner', teams: [], admin: false },
} satisfies Record<string, User>;

/** Workflows that only remember what they were asked to do. */
export class RecordingWorkflows implements Workflows {
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  failStart = false;
  async startRun(runId: string): Promise<void> {
    if (this.failStart) throw new Error('Step Functions is unavailable');
    this.started.push(runId);
  }
  async stopRun(runId: string): Promise<void> {
    this.stopped.push(runId);
  }
}

/** Run deps on memory adapters with recording workflows. */
export const memoryRunDeps = () => ({
  ...memoryDeps(),
  runs: new MemoryRunStore(),
  runFiles: new MemoryRunFiles(),
  workflows: new RecordingWorkflows(),
  runSettings: DEFAULT_RUN_SETTINGS,
});
