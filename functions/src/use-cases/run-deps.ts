import type { RunFiles } from '../ports/run-files.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { Workflows } from '../ports/workflows.ts';
import type { Profile } from '../domain/profile.ts';
import type { OutputLimits } from '../domain/run-output.ts';

/** Run limits and choices, from configuration. */
export interface RunSettings {
  defaultTimeoutSeconds: number;
  maxTimeoutSeconds: number;
  /** How long an idempotency key holds. */
  idempotencySeconds: number;
  /** Where runner Jobs go in the cloud, and the image they run. */
  runner: { namespace: string; image: string; serviceAccount: string };
  /** The API's public URL, which a runner fetches its run's AWS keys from; empty until it is known. */
  apiUrl: string;
  /** The runner's caps on outputs: each output, and all of a notebook's together (bytes as saved). */
  output: OutputLimits;
}

/**
 * The run's own ports and settings. Each run use case declares the few it needs with a Pick, taking what it
 * shares with the archive (notebooks, bodies, clock, ids, cursors, limits, renderer) from FoliumDeps.
 */
export interface RunDeps {
  runs: RunStore;
  runFiles: RunFiles;
  workflows: Workflows;
  runSettings: RunSettings;
  /** The profile registry; a run names one its owner's teams may use (the first they may is the default). */
  profiles: readonly Profile[];
}

/** The run settings used unless configuration says otherwise. */
export const DEFAULT_RUN_SETTINGS: RunSettings = {
  defaultTimeoutSeconds: 3600,
  maxTimeoutSeconds: 86_400,
  idempotencySeconds: 86_400,
  runner: { namespace: 'orrery', image: 'orrery/notebook-runner:latest', serviceAccount: 'orrery-runner' },
  apiUrl: '',
  // Far above a notebook of plots and tables (a Plotly figure with its library inlined is ~4 MB), far below what
  // a loop that prints without end writes in a minute; the runner's own defaults are the same.
  output: { maxOutputBytes: 10 * 1024 * 1024, maxNotebookOutputBytes: 50 * 1024 * 1024 },
};
