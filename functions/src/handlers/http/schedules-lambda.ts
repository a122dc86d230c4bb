import { makeApiRouter } from '../../http/api-router.ts';

// PLACEHOLDER, to be replaced by the schedule routes' own entry (written in parallel): it serves no route yet, so
// the schedules group's function answers every request 404 and synth has an entry to bundle.

/** Lambda entry of the schedules routes (a placeholder serving none of them yet). */
export const handler = makeApiRouter({});
