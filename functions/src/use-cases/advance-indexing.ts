import type { IndexingStep, NotebookStore } from '../ports/notebook-store.ts';

/** What bringing the notebook indexes up to date needs. */
export interface AdvanceIndexingDeps {
  notebooks: Pick<NotebookStore, 'advanceIndexing'>;
}

// A step reads this many notebooks at most: a few seconds of a scheduled function, a moment at local start.
const BATCH = 1000;

/** One bounded step of indexing notebooks written before the current layout (the cloud: one per culler sweep). */
export const advanceIndexing = (deps: AdvanceIndexingDeps): Promise<IndexingStep> =>
  deps.notebooks.advanceIndexing(BATCH);

/** Steps until nothing is left to index (local start, before the API serves). Returns how many were indexed. */
export const finishIndexing = async (deps: AdvanceIndexingDeps): Promise<number> => {
  let indexed = 0;
  for (;;) {
    const step = await advanceIndexing(deps);
    indexed += step.indexed;
    if (step.done) return indexed;
  }
};
