import { makeRunTaskFunctions } from '../../composition/run-tasks.ts';

const tasks = await makeRunTaskFunctions();

/** Lambda entry of the Prepare state (counts the run as started). */
export const prepare = tasks.prepare;
/** Lambda entry of the MarkStarted state. */
export const markStarted = tasks.markStarted;
/** Lambda entry of the Finalize and RecordFailure states (counts the run by how it ended, with its duration). */
export const finalize = tasks.finalize;
