import { makeCullerFunction } from '../../composition/culler.ts';

/** The EventBridge schedule's target: one sweep of the idle culler, its figures in the log and in metrics. */
export const handler = await makeCullerFunction();
