import { makeSchedulesFunction } from '../../composition/schedules.ts';

/** Lambda entry of the schedule routes: DynamoDB, EventBridge Scheduler, and Step Functions (run now). */
export const handler = await makeSchedulesFunction();
