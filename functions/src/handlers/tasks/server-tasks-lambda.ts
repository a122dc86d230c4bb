import { makeServerTaskFunction } from '../../composition/server-tasks.ts';

/** Lambda entry of every Task state of the launch-server workflow (the step is in the payload); counts launches. */
export const handler = await makeServerTaskFunction();
