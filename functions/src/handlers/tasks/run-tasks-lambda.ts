import { loadConfig } from '../../shared/config.ts';
import { makeCloudDeps } from '../../shared/container.ts';
import { makeRunTasks } from './run-tasks.ts';

const tasks = makeRunTasks(makeCloudDeps(loadConfig(process.env)));

/** Lambda entry of the Prepare state. */
export const prepare = tasks.prepare;
/** Lambda entry of the MarkStarted state. */
export const markStarted = tasks.markStarted;
/** Lambda entry of the Finalize and RecordFailure states. */
export const finalize = tasks.finalize;
