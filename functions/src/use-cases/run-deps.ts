import type { RunFiles } from '../ports/run-files.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { Workflows } from '../ports/workflows.ts';
import type { FoliumDeps } from './folium-deps.ts';

/** Run limits and choices, from configuration. */
export interface RunSettings {
  /** Profiles runs may name; the first is the default. Servers and pools bring the full registry. */
  profiles: string[];
  defaultTimeoutSeconds: number;
  maxTimeoutSeconds: number;
  /** How long an idempotency key holds. */
  idempotencySeconds: number;
  /** Where runner Jobs go in the cloud, and the image they run. */
  runner: { namespace: string; image: string; serviceAccount: string; cpu: string; memory: string };
}

/** Everything the run use cases need, on top of Folium's. */
export interface RunDeps extends FoliumDeps {
  runs: RunStore;
  runFiles: RunFiles;
  workflows: Workflows;
  runSettings: RunSettings;
}

/** The run settings used unless configuration says otherwise. */
export const DEFAULT_RUN_SETTINGS: RunSettings = {
  profiles: ['default'],
  defaultTimeoutSeconds: 3600,
  maxTimeoutSeconds: 86_400,
  idempotencySeconds: 86_400,
  runner: { namespace: 'orrery', image: 'orrery/notebook-runner:latest', serviceAccount: 'orrery-runner', cpu: '1', memory: '2Gi' },
};
