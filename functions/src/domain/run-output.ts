/** How much longer than the run's own timeout its runner may live (the Job's deadline) before it is ended. */
export const RUNNER_DEADLINE_MARGIN_SECONDS = 120;

/** The runner's caps on a run's outputs, in bytes as the output notebook saves them. */
export interface OutputLimits {
  /** One output (a cell's stream, an image, a table). */
  maxOutputBytes: number;
  /** All outputs of the notebook together. */
  maxNotebookOutputBytes: number;
}

// The runner always keeps the error that ended a run, cut to this (orrery_runner/output_limits.py, ERROR_ALLOWANCE).
const ERROR_ALLOWANCE_BYTES = 1024 * 1024;
// What a run adds to each cell (papermill's status and times, nbclient's timings) is a few hundred bytes,
// at most about four times the smallest cell an input can hold.
const CELL_GROWTH_FACTOR = 5;
const METADATA_SLACK_BYTES = 1024 * 1024;

/**
 * The most an output notebook written by the runner can weigh, given the size of its input: the outputs
 * within their caps, the error that ended the run twice (in its cell and in metadata.orrery), and the input's
 * cells with what a run adds to them. An output past it was not written by the runner as it was told to
 * (or the caps changed since): it is not read.
 */
export const outputReadLimit = (inputBytes: number, limits: OutputLimits): number =>
  limits.maxNotebookOutputBytes +
  2 * Math.min(limits.maxOutputBytes, ERROR_ALLOWANCE_BYTES) +
  CELL_GROWTH_FACTOR * inputBytes +
  METADATA_SLACK_BYTES;
