import { tokenizePython, type Token } from './python-tokens.ts';

/** One top-level statement of a cell, as a parameter reader needs it. */
export interface Statement {
  /** Its tokens without comments; never empty. */
  tokens: Token[];
  /** The text after `#` of a comment that follows its last token on the same line, or null. */
  comment: string | null;
  /** The 1-based line where it starts. */
  line: number;
  /** Its source, from its first token to its last token or trailing comment. */
  text: string;
  /** It starts indented without a block to belong to (an IndentationError in Python). */
  indented: boolean;
}

interface Draft {
  tokens: Token[];
  comments: Token[];
  startsLine: boolean;
  block: boolean;
}

// Clauses that continue a compound statement at the header's own indentation.
const CONTINUATIONS = new Set(['else', 'elif', 'except', 'finally']);

const last = <T>(items: T[]): T | undefined => items[items.length - 1];
const isOp = (token: Token | undefined, op: string): boolean => token?.kind === 'op' && token.text === op;

/** Groups tokens into logical lines, and lines into `;`-separated parts; comments go to the part they end. */
const draftsOf = (tokens: Token[]): Draft[] => {
  const drafts: Draft[] = [];
  let current: Draft | null = null;
  let startsLine = true;
  for (const token of tokens) {
    if (token.kind === 'newline' || (isOp(token, ';') && current)) {
      if (current) drafts.push(current);
      current = null;
      startsLine = token.kind === 'newline';
    } else if (token.kind === 'comment') {
      // A comment on a line of its own belongs to nothing; `a = 1;  # c` belongs to `a = 1`.
      const owner = current ?? last(drafts);
      if (owner && last(owner.tokens)?.line === token.line) owner.comments.push(token);
    } else {
      current ??= { tokens: [], comments: [], startsLine, block: false };
      current.tokens.push(token);
    }
  }
  if (current) drafts.push(current);
  return drafts;
};

/**
 * Keeps an indented block (and its else/except clauses, or the definition under a decorator) with the statement that
 * opens it.
 */
const mergeBlocks = (drafts: Draft[]): Draft[] => {
  const merged: Draft[] = [];
  for (const draft of drafts) {
    const previous = last(merged);
    const first = draft.tokens[0];
    const indented = draft.startsLine && (first?.column ?? 0) > 0;
    const clause = first?.kind === 'name' && CONTINUATIONS.has(first.text);
    const decorated = previous !== undefined && !previous.block && isOp(previous.tokens[0], '@');
    if ((previous?.block && (indented || clause || !draft.startsLine)) || decorated) {
      previous.tokens.push(...draft.tokens);
      previous.comments.push(...draft.comments);
      previous.block ||= isOp(last(draft.tokens), ':');
    } else {
      merged.push({ ...draft, block: isOp(last(draft.tokens), ':') });
    }
  }
  return merged;
};

const toStatement = (source: string, draft: Draft): Statement => {
  const first = draft.tokens[0]!;
  const end = last(draft.tokens)!;
  const trailing = draft.comments.find((comment) => comment.line === end.line && comment.start >= end.end);
  return {
    tokens: draft.tokens,
    comment: trailing ? trailing.text.slice(1) : null,
    line: first.line,
    text: source.slice(first.start, trailing && !draft.block ? trailing.end : end.end),
    indented: draft.startsLine && first.column > 0 && !draft.block,
  };
};

/** Splits cell source into its top-level statements, in order; blank and comment-only lines yield none. */
export const splitStatements = (source: string): Statement[] =>
  mergeBlocks(draftsOf(tokenizePython(source))).map((draft) => toStatement(source, draft));
