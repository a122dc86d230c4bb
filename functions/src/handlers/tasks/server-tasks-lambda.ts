import { loadConfig } from '../../shared/config.ts';
import { makeCloudDeps } from '../../shared/container.ts';
import { makeServerTasks } from './server-tasks.ts';

/** Lambda entry of every Task state of the launch-server workflow (the step is in the payload). */
export const handler = makeServerTasks(makeCloudDeps(loadConfig(process.env)));
