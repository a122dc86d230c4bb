import type { RunFiles } from '../ports/run-files.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { Workflows } from '../ports/workflows.ts';
import type { FoliumDeps } from './folium-deps.ts';

/** What a run's pod gets: resources and where it may be scheduled. */
export interface RunProfile {
  cpu: string;
  memory: string;
  gpus: number;
  nodeSelector: Record<string, string>;
}

/** Run limits and choices, from configuration. */
export interface RunSettings {
  /** Profiles runs may name, by slug; the first is the default. The servers capability brings the full registry. */
  profiles: Record<string, RunProfile>;
  defaultTimeoutSeconds: number;
  maxTimeoutSeconds: number;
  /** How long an idempotency key holds. */
  idempotencySeconds: number;
  /** Where runner Jobs go in the cloud, and the image they run. */
  runner: { namespace: string; image: string; serviceAccount: string };
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
  profiles: { default: { cpu: '1', memory: '2Gi', gpus: 0, nodeSelector: {} } },
  defaultTimeoutSeconds: 3600,
  maxTimeoutSeconds: 86_400,
  idempotencySeconds: 86_400,
  runner: { namespace: 'orrery', image: 'orrery/notebook-runner:latest', serviceAccount: 'orrery-runner' },
};
