// PLACEHOLDER, to be replaced by the fire handler (written in parallel). It fails every delivery rather than
// answering success, so Scheduler retries and then dead-letters the due time instead of dropping it unseen.

/** Lambda entry of the schedules' target: one delivery of one due time (a placeholder that fires nothing yet). */
export const handler = async (): Promise<never> => {
  throw new Error('the fire handler is not deployed yet: this entry is a placeholder');
};
