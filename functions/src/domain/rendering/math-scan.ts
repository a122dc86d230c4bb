import type { WorkMeter } from './render-limits.ts';

/** A math span found at a position: where it ends (exclusive) and whether MathJax shows it as display math. */
export interface MathSpan {
  end: number;
  display: boolean;
}

/** Display math standing alone on its lines: the block's raw end (newlines included) and the math's end. */
export interface BlockMathSpan {
  rawEnd: number;
  mathStart: number;
  mathEnd: number;
}

const DOLLAR = 36;
const BACKSLASH = 92;
const BACKTICK = 96;
const SPACE = 32;
const NEWLINE = 10;

/** Index of the first value ≥ `min` in an ascending list, or -1. */
const firstAtLeast = (sorted: readonly number[], min: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < min) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo]! : -1;
};

interface Tables {
  /** `$` not escaped by an odd run of backslashes. */
  dollars: number[];
  /** Such a `$` followed by another `$`: where a `$$…$$` body must stop. */
  doubleDollars: number[];
  /** `\]` and `\)` anywhere: the closers of inline `\[…\]` and `\(…\)`, which read their body verbatim. */
  bracketClosers: number[];
  parenClosers: number[];
  /** `\]` whose backslash ends an odd run: the closer of block `\[…\]`, whose body pairs backslashes. */
  blockBracketClosers: number[];
  /** `$`, `\(` and `\[`: where inline math may start. */
  candidates: number[];
  /** Maximal backtick runs, for code spans. */
  runStarts: number[];
  runEnds: number[];
  runsByLength: Map<number, number[]>;
}

/**
 * The math of one string, found with one pass over it: every question the markdown extension asks (is there math
 * here, where does the next candidate start, which ranges hide emphasis) is then a lookup, never a scan to the end.
 * It answers exactly what these patterns, tried at a position, would answer (body at least one character):
 *   $$…$$  /\$\$(?:\\[\s\S]|[^\\$]|\$(?!\$))+?\$\$/    $…$  /\$(?:\\[\s\S]|[^\\$])+?\$/
 *   \[…\]  /\\\[[\s\S]+?\\\]/   \(…\)  /\\\([\s\S]+?\\\)/   block \[…\]  /\\\[(?:[^\\]|\\[^\]])+?\\\]/
 * Backslash pairs are the same wherever a body starts (a body never starts inside a run of backslashes), so
 * "escaped" is a property of the position and the first closer at or after a point is the answer.
 */
export class MathScan {
  private tables?: Tables;
  private inlineRanges?: Array<[number, number]>;
  private blockStartList?: number[];
  private readonly blocks = new Map<number, BlockMathSpan>();
  // Most strings markdown hands over (a heading, a table cell) hold no `$`, backslash or backtick: nothing to index.
  private plain?: boolean;

  constructor(
    readonly src: string,
    private readonly meter: WorkMeter,
  ) {}

  /** The inline math span starting exactly at `at`, if any (`$$` first, so it is never read as two `$` spans). */
  inlineAt(at: number): MathSpan | undefined {
    const { src } = this;
    this.meter.charge(1);
    if (this.isPlain()) return undefined;
    const first = src.charCodeAt(at);
    const second = src.charCodeAt(at + 1);
    const t = this.table();
    if (first === DOLLAR) {
      if (second === DOLLAR) {
        const close = firstAtLeast(t.doubleDollars, at + 2);
        if (close > at + 2) return { end: close + 2, display: true };
      }
      if (second !== DOLLAR && at + 1 < src.length) {
        const close = firstAtLeast(t.dollars, at + 2);
        if (close >= 0) return { end: close + 1, display: false };
      }
      return undefined;
    }
    if (first !== BACKSLASH || (second !== 91 && second !== 40)) return undefined;
    const close = firstAtLeast(second === 91 ? t.bracketClosers : t.parenClosers, at + 3);
    return close >= 0 ? { end: close + 2, display: second === 91 } : undefined;
  }

  /** The first position ≥ `from` where inline math may start (a `$`, `\(` or `\[`), or -1. */
  nextCandidate(from: number): number {
    this.meter.charge(1);
    return this.isPlain() ? -1 : firstAtLeast(this.table().candidates, from);
  }

  /** Ranges of inline math read left to right from the start, skipping code spans and backslash escapes. */
  ranges(): ReadonlyArray<[number, number]> {
    if (this.inlineRanges) return this.inlineRanges;
    const { src } = this;
    const ranges: Array<[number, number]> = [];
    if (this.isPlain()) {
      this.inlineRanges = ranges;
      return ranges;
    }
    let at = 0;
    while (at < src.length) {
      this.meter.charge(1);
      const char = src.charCodeAt(at);
      // A backtick run that opens no code span is plain text as a whole, as marked reads it.
      const code = char === BACKTICK ? this.codeSpanAt(at) : -1;
      const math = char === DOLLAR || char === BACKSLASH ? this.inlineAt(at) : undefined;
      if (math) ranges.push([at, math.end]);
      if (char === BACKTICK) at = code >= 0 ? code : this.runAt(at).end;
      else at = math?.end ?? at + (char === BACKSLASH ? 2 : 1);
    }
    this.inlineRanges = ranges;
    return ranges;
  }

  /** Display math that starts the line at `at` (after up to three spaces) and ends its own line, if any. */
  blockAt(at: number): BlockMathSpan | undefined {
    const lineStart = at === 0 || this.src.charCodeAt(at - 1) === NEWLINE;
    if (this.blockStartList && lineStart) return this.blocks.get(at);
    const found = this.findBlock(at);
    if (found) this.blocks.set(at, found);
    return found;
  }

  /** The first line start ≥ `from` where display math stands on its own lines, or -1. */
  nextBlockStart(from: number): number {
    this.meter.charge(1);
    if (!this.blockStartList) {
      const starts: number[] = [];
      for (let line = 0; line < this.src.length; line = this.src.indexOf('\n', line) + 1 || this.src.length) {
        this.meter.charge(1);
        const found = this.blocks.get(line) ?? this.findBlock(line);
        if (found) {
          starts.push(line);
          this.blocks.set(line, found);
        }
      }
      this.blockStartList = starts;
    }
    return firstAtLeast(this.blockStartList, from);
  }

  private findBlock(at: number): BlockMathSpan | undefined {
    const { src } = this;
    let open = at;
    while (open < at + 3 && src.charCodeAt(open) === SPACE) open += 1;
    const first = src.charCodeAt(open);
    const second = src.charCodeAt(open + 1);
    let close = -1;
    if (first === DOLLAR && second === DOLLAR) close = firstAtLeast(this.table().doubleDollars, open + 2);
    else if (first === BACKSLASH && second === 91) close = firstAtLeast(this.table().blockBracketClosers, open + 2);
    // A closer right after the opener means an empty body, which neither pattern accepts.
    if (close <= open + 2) return undefined;
    let end = close + 2;
    while (src.charCodeAt(end) === SPACE) end += 1;
    if (end < src.length && src.charCodeAt(end) !== NEWLINE) return undefined;
    const mathEnd = close + 2;
    while (src.charCodeAt(end) === NEWLINE) end += 1;
    this.meter.charge(end - mathEnd + 1);
    return { rawEnd: end, mathStart: open, mathEnd };
  }

  /**
   * Where the code span opening at the backtick `at` ends: the next run of exactly as many backticks closes it, as
   * marked's /^(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/ finds; -1 when none does.
   */
  codeSpanAt(at: number): number {
    this.meter.charge(1);
    const { end } = this.runAt(at);
    const width = end - at;
    const close = firstAtLeast(this.table().runsByLength.get(width) ?? [], end + 1);
    return close < 0 ? -1 : close + width;
  }

  /**
   * What a regular expression pays looking for the closers of code spans that have none: it reads from each such
   * run to the end of the string. Only the last run of each width has no closer.
   */
  unclosedCodeCost(): number {
    const t = this.table();
    let cost = 0;
    for (const starts of t.runsByLength.values()) {
      const last = starts.at(-1)!;
      cost += this.src.length - last;
    }
    return cost;
  }

  private runAt(at: number): { start: number; end: number } {
    const t = this.table();
    let lo = 0;
    let hi = t.runStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t.runStarts[mid]! <= at) lo = mid + 1;
      else hi = mid;
    }
    return { start: t.runStarts[lo - 1] ?? at, end: t.runEnds[lo - 1] ?? at + 1 };
  }

  private isPlain(): boolean {
    if (this.plain === undefined) {
      this.meter.charge(this.src.length);
      this.plain = !/[$\\`]/.test(this.src);
    }
    return this.plain;
  }

  private table(): Tables {
    if (this.tables) return this.tables;
    const { src } = this;
    this.meter.charge(src.length);
    const t: Tables = {
      dollars: [],
      doubleDollars: [],
      bracketClosers: [],
      parenClosers: [],
      blockBracketClosers: [],
      candidates: [],
      runStarts: [],
      runEnds: [],
      runsByLength: new Map(),
    };
    let backslashes = 0;
    for (let i = 0; i < src.length; i += 1) {
      const char = src.charCodeAt(i);
      const next = src.charCodeAt(i + 1);
      if (char === BACKSLASH) {
        backslashes += 1;
        if (next === 93) {
          t.bracketClosers.push(i);
          if (backslashes % 2 === 1) t.blockBracketClosers.push(i);
        }
        if (next === 41) t.parenClosers.push(i);
        if (next === 40 || next === 91) t.candidates.push(i);
        continue;
      }
      if (char === DOLLAR) {
        t.candidates.push(i);
        if (backslashes % 2 === 0) {
          t.dollars.push(i);
          if (next === DOLLAR) t.doubleDollars.push(i);
        }
      } else if (char === BACKTICK && src.charCodeAt(i - 1) !== BACKTICK) {
        let end = i + 1;
        while (src.charCodeAt(end) === BACKTICK) end += 1;
        t.runStarts.push(i);
        t.runEnds.push(end);
        const sameWidth = t.runsByLength.get(end - i);
        if (sameWidth) sameWidth.push(i);
        else t.runsByLength.set(end - i, [i]);
      }
      backslashes = 0;
    }
    this.tables = t;
    return t;
  }
}
