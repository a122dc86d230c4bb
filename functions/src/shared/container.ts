import { HtmlNotebookRenderer } from '../adapters/system/html-notebook-renderer.ts';
import type { ServerCompute } from '../ports/server-compute.ts';
import type { ServerWorkflows, Workflows } from '../ports/workflows.ts';
import type { RunDeps } from '../use-cases/run-deps.ts';
import type { ServerDeps } from '../use-cases/server-deps.ts';
import { makeRunCloudDeps, makeServerCloudDeps } from './cloud-composition.ts';
import type { Config } from './config.ts';

/** Everything every use case needs: Folium, runs and servers. */
export type PlatformDeps = RunDeps & ServerDeps;

/** What differs between the cloud and local mode besides endpoints: workflows and compute. */
export interface ModeAdapters {
  workflows: Workflows & ServerWorkflows;
  compute: ServerCompute;
}

/**
 * Wires every port at once, for local mode (one process serves every route, task and the culler): the same
 * group builders the Lambdas use, over the emulators' endpoints, with the mode's workflows and compute and the
 * renderer loaded up front (a long-lived process has no cold start to spare it from).
 */
export const makePlatformDeps = (config: Config, { workflows, compute }: ModeAdapters): PlatformDeps => ({
  ...makeRunCloudDeps(config, workflows, new HtmlNotebookRenderer()),
  ...makeServerCloudDeps(config, { workflows, compute }),
  // Both groups hold this one object; each builder types it as only the part its group starts.
  workflows,
});
