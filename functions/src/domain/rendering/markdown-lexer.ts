import { Lexer, type MarkedOptions, type Token, type Tokenizer } from 'marked';
import { listCopyCost } from './list-cost.ts';
import { MathScan } from './math-scan.ts';
import { tableCellCost } from './table-cost.ts';
import { RenderLimitExceeded, type WorkMeter } from './render-limits.ts';

type Rules = Tokenizer['rules'];

/** One string marked is lexing: every source it hands a tokenizer is an unread tail of it. */
interface LexRoot {
  src: string;
  scan?: MathScan;
  /** Setext headings cannot start before this offset (see lheadingMemo). */
  noHeadingBefore: number;
  /** Lists starting before this offset were already costed (see listGuard). */
  listsCostedUntil: number;
}

// Containers and emphasis nest this deep at most; a deeper cell is shown as text. Each level re-reads its
// content and costs JavaScript stack, so an unbounded depth is both quadratic and a stack overflow.
const MAX_NESTING = 32;

// GFM autolinks an e-mail only if the run of address characters before the `@` is short: RFC 5321 caps the
// local part at 64. marked looks for that `@` from every delimiter inside a long run (`_a_a_a…`), which is
// quadratic; bounding the look-ahead keeps every check constant.
const LOCAL_PART = '{1,64}';

// Characters marked may copy while building the items of one list (see list-cost.ts): a few tens of milliseconds.
const MAX_LIST_COPY = 32 * 1024 * 1024;

// With link definitions, marked looks for a reference link at every `[` of a run, reading up to 999 label
// items ahead; charged per `[` so a run of brackets cannot cost a thousand steps each for free.
const WORK_PER_BRACKET = 64;
// Without definitions that search can find nothing, so it is replaced by one that ends at once.
const NOTHING = /[^\s\S]/g;

const bounded = (rule: RegExp, from: string, to: string, expected: number): RegExp => {
  const parts = rule.source.split(from);
  if (parts.length - 1 !== expected) {
    throw new Error(`marked rule changed: expected ${expected} × ${from} in ${rule.source}`);
  }
  return new RegExp(parts.join(to), rule.flags);
};

/**
 * A global expression that charges the characters each `exec` moves over. marked's emphasis and strikethrough
 * tokenizers walk the delimiters after an opener with one of these until a closer matches; an opener with no
 * closer walks to the end, so many of them are quadratic. Counting the walk lets the meter stop it.
 */
class MeteredRegExp extends RegExp {
  constructor(
    pattern: RegExp,
    private readonly meter: WorkMeter,
  ) {
    super(pattern.source, pattern.flags);
  }

  override exec(text: string): RegExpExecArray | null {
    const from = this.lastIndex;
    const match = super.exec(text);
    this.meter.charge(1 + (match ? this.lastIndex - from : text.length - from));
    return match;
  }
}

const lexingRules = (rules: Rules, meter: WorkMeter): Rules => ({
  ...rules,
  inline: {
    ...rules.inline,
    text: bounded(rules.inline.text, ']+@)', `]${LOCAL_PART}@)`, 2),
    url: bounded(rules.inline.url, ']+(@)', `]${LOCAL_PART}(@)`, 1),
    emStrongRDelimAst: new MeteredRegExp(rules.inline.emStrongRDelimAst, meter),
    emStrongRDelimUnd: new MeteredRegExp(rules.inline.emStrongRDelimUnd, meter),
    delRDelim: new MeteredRegExp(rules.inline.delRDelim, meter),
  },
});

// marked's setext heading rule is `^(?!<blocks>)((?:.|\n(?!<what may not continue it>))+?)\n<underline>`. Its two
// parts, cut out of the rule itself: what the first line may not be, and how far a heading's text could reach.
const headingParts = (lheading: RegExp): { firstLine: RegExp; body: RegExp } => {
  const source = lheading.source;
  const start = source.indexOf('(?:.|\\n(?!');
  const end = source.lastIndexOf(')+?)\\n {0,3}(=+|-+)');
  if (start < 1 || end < start) throw new Error(`marked rule changed: no setext heading body in ${source}`);
  const body = new RegExp(`${source.slice(start, end + 1)}*`, 'y');
  return { firstLine: new RegExp(source.slice(0, start - 1)), body };
};

const countOf = (text: string, char: string): number => {
  let count = 0;
  for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) count += 1;
  return count;
};

/**
 * marked's lexer, kept linear: it knows which string every tokenizer call reads (so the math extension answers
 * from one scan of it), charges the text it lexes to a WorkMeter, refuses nesting past MAX_NESTING, bounds the
 * e-mail look-ahead and remembers where a setext heading cannot start.
 */
export class MarkdownLexer extends Lexer {
  private readonly blockRoots: LexRoot[] = [];
  private readonly inlineRoots: LexRoot[] = [];
  private readonly heading: { firstLine: RegExp; body: RegExp };
  private readonly rules: Rules;
  private hasLinkDefinitions?: boolean;

  constructor(
    options: MarkedOptions,
    readonly meter: WorkMeter,
  ) {
    super(options);
    const tokenizer = this.options.tokenizer as Tokenizer;
    tokenizer.rules = lexingRules(tokenizer.rules, meter);
    this.rules = tokenizer.rules;
    this.heading = headingParts(tokenizer.rules.block.lheading);
    const lheading = tokenizer.lheading.bind(tokenizer);
    tokenizer.lheading = (src) => this.lheadingMemo(src, lheading);
    const list = tokenizer.list.bind(tokenizer);
    tokenizer.list = (src) => this.listGuard(src, list);
    // marked pads every row of a table to the header's width: charge the cells before it builds them.
    const table = tokenizer.table.bind(tokenizer);
    tokenizer.table = (src) => {
      this.meter.charge(tableCellCost(src));
      return table(src);
    };
    // marked's code span rule reads to the end from a run of backticks that nothing closes; the scan of the run
    // knows where (or whether) it closes, so the rule only ever reads the span itself.
    const codespan = tokenizer.codespan.bind(tokenizer);
    tokenizer.codespan = (src) => {
      if (src.charCodeAt(0) !== 96) return undefined;
      const { scan, at } = this.inlineMath(src);
      const end = scan.codeSpanAt(at);
      return end < 0 ? undefined : codespan(src.slice(0, end - at));
    };
  }

  override blockTokens(src: string, tokens?: Token[], lastParagraphClipped?: boolean): never {
    return this.within(this.blockRoots, src, () => super.blockTokens(src, tokens, lastParagraphClipped)) as never;
  }

  override inlineTokens(src: string, tokens?: Token[]): Token[] {
    // Inline runs are lexed after every block, so the link definitions are all known by now.
    if (this.hasLinkDefinitions === undefined) {
      this.hasLinkDefinitions = Object.keys(this.tokens.links).length > 0;
      if (!this.hasLinkDefinitions) this.rules.inline = { ...this.rules.inline, reflinkSearch: NOTHING };
    }
    return this.within(this.inlineRoots, src, () => {
      if (this.hasLinkDefinitions) this.meter.charge(WORK_PER_BRACKET * countOf(src, '['));
      // marked masks code spans with a pattern that reads to the end from every run of backticks nothing closes.
      if (src.includes('`')) this.meter.charge(this.currentInlineMath()!.unclosedCodeCost());
      return super.inlineTokens(src, tokens);
    });
  }

  /** The math scan of the block string being lexed and where `src`, an unread tail of it, starts in it. */
  blockMath(src: string): { scan: MathScan; at: number } {
    return this.mathOf(this.blockRoots, src);
  }

  /** The math scan of the inline run being lexed and where `src`, an unread tail of it, starts in it. */
  inlineMath(src: string): { scan: MathScan; at: number } {
    return this.mathOf(this.inlineRoots, src);
  }

  /** The math scan of the inline run being lexed, if any. */
  currentInlineMath(): MathScan | undefined {
    const root = this.inlineRoots.at(-1);
    if (root) root.scan ??= new MathScan(root.src, this.meter);
    return root?.scan;
  }

  private mathOf(roots: LexRoot[], src: string): { scan: MathScan; at: number } {
    const root = roots.at(-1);
    const at = root ? root.src.length - src.length : -1;
    // marked only hands tokenizers tails of the string being lexed; anything else gets a scan of its own.
    const lastChar = (text: string) => text.charCodeAt(text.length - 1);
    if (!root || at < 0 || root.src.charCodeAt(at) !== src.charCodeAt(0) || lastChar(root.src) !== lastChar(src)) {
      return { scan: new MathScan(src, this.meter), at: 0 };
    }
    root.scan ??= new MathScan(root.src, this.meter);
    return { scan: root.scan, at };
  }

  private within<T>(roots: LexRoot[], src: string, lex: () => T): T {
    if (roots.length >= MAX_NESTING) throw new RenderLimitExceeded(`it nests more than ${MAX_NESTING} levels deep`);
    this.meter.charge(src.length + 1);
    roots.push({ src, noHeadingBefore: 0, listsCostedUntil: 0 });
    try {
      return lex();
    } finally {
      roots.pop();
    }
  }

  // The copies marked makes while building a list's items cost nothing it can count, so estimate them before it
  // starts (once per stretch of text: a list that ends early leaves the rest of the stretch already costed).
  private listGuard<T>(src: string, list: (src: string) => T | undefined): T | undefined {
    const root = this.blockRoots.at(-1);
    const at = root ? root.src.length - src.length : 0;
    const afterText = this.state.lastToken?.type === 'text';
    const interruptsNothing = afterText && !this.rules.other.listInterruptsParagraph.test(src);
    if (root && at >= root.listsCostedUntil && !interruptsNothing && this.rules.block.list.test(src)) {
      const { cost, extent } = listCopyCost(src);
      this.meter.charge(extent);
      if (cost > MAX_LIST_COPY) throw new RenderLimitExceeded('a list item in it has too many lines to lex');
      root.listsCostedUntil = at + extent;
    }
    return list(src);
  }

  // Inside list items marked tries a setext heading at every line, and each try reads on to the next blank line:
  // quadratic in a long item. A try whose first line was allowed but found no underline fails from every later
  // position it read past (they see the same lines), so remember how far it read.
  private lheadingMemo<T>(src: string, lheading: (src: string) => T | undefined): T | undefined {
    // At the top level a paragraph is read whole, so the retries (and the memo) only happen inside list items.
    if (this.state.top) return lheading(src);
    const root = this.blockRoots.at(-1);
    const at = root ? root.src.length - src.length : 0;
    if (root && at < root.noHeadingBefore) return undefined;
    const token = lheading(src);
    if (token || !root || !this.heading.firstLine.test(src)) return token;
    this.heading.body.lastIndex = 0;
    const extent = this.heading.body.exec(src)?.[0].length ?? 0;
    this.meter.charge(extent + 1);
    root.noHeadingBefore = at + extent + 1;
    return undefined;
  }
}
