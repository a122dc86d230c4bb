import { makeFireFunction } from '../../composition/schedules.ts';

/** EventBridge Scheduler's target for every Orrery schedule: one due time, started at most once. */
export const handler = await makeFireFunction();
