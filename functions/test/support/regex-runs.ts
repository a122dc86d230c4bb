/** One run of a regular expression: its pattern, and at least how many start positions it tried. */
export interface RegexRun {
  source: string;
  flags: string;
  inputLength: number;
  /** A lower bound of the positions tried: 1 for an anchored or sticky pattern, else up to the match or the end. */
  startsTried: number;
}

/**
 * Records every regular expression run while `fn` runs (match, replace, split, test and exec all go through
 * RegExp.prototype.exec once it is replaced), then puts exec back.
 */
export const recordRegexRuns = <T>(fn: () => T): { result: T; runs: RegexRun[] } => {
  const exec = RegExp.prototype.exec;
  const runs: RegexRun[] = [];
  RegExp.prototype.exec = function recordedExec(this: RegExp, input: string) {
    const from = this.global || this.sticky ? this.lastIndex : 0;
    const match = exec.call(this, input);
    const anchored = this.sticky || (this.source.startsWith('^') && !this.multiline);
    const startsTried = anchored ? 1 : Math.max(1, (match ? match.index : String(input).length) - from + 1);
    runs.push({ source: this.source, flags: this.flags, inputLength: String(input).length, startsTried });
    return match;
  };
  try {
    return { result: fn(), runs };
  } finally {
    RegExp.prototype.exec = exec;
  }
};

/** Patterns that can read far past their start over and over: lazy spans of anything, or a run pinned to the end. */
export const UNBOUNDED_SPAN = /\[\\s\\S\][*+]\?|(?<!\\)\.[*+]\?|^[^^].*[^\\][*+]\$$/;
