import { joinSource, type NotebookJson } from './nbformat.ts';
import { parsePythonLiteral } from './python-literal.ts';
import { splitStatements, type Statement } from './python-statements.ts';
import type { Token } from './python-tokens.ts';

/** The type of a parameter, named as papermill names Python types; tuples count as 'list'. */
export type ParameterType = 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'None';

/**
 * One parameter of a notebook: a top-level `name = literal` in its parameters cell. `default` is the
 * literal's JSON form (see LiteralResult: big ints as decimal strings, 'nan'/'inf'/'-inf' for those floats),
 * `defaultSource` its exact Python text, `help` the trailing comment without `#`, or ''.
 */
export interface Parameter {
  name: string;
  type: ParameterType;
  default: unknown;
  defaultSource: string;
  help: string;
  /** Set when the default was too long or too deep to record; `default` is then null and `defaultSource` cut short. */
  truncated?: true;
}

/** A statement of the parameters cell that is not a parameter: its 1-based line in the cell, its text and why. */
export interface ParameterProblem {
  line: number;
  text: string;
  reason: string;
}

/** What a notebook's parameters cell declares; `cellIndex` is null when no code cell is tagged `parameters`. */
export interface ParameterInference {
  cellIndex: number | null;
  parameters: Parameter[];
  problems: ParameterProblem[];
}

/** The inference of a notebook without a parameters cell (frozen; copy it before changing it). */
export const NO_PARAMETERS: ParameterInference = Object.freeze({
  cellIndex: null,
  parameters: Object.freeze([]) as unknown as Parameter[],
  problems: Object.freeze([]) as unknown as ParameterProblem[],
});

type Outcome = { parameter: Parameter } | { reason: string; name?: string };

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' '),
);
const STATEMENTS = new Set([
  'assert',
  'break',
  'continue',
  'del',
  'global',
  'nonlocal',
  'pass',
  'raise',
  'return',
  'yield',
]);
const COMPOUND = new Set(['if', 'for', 'while', 'with', 'try', 'async', 'else', 'elif', 'except', 'finally']);
const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '>>=', '<<=', '&=', '|=', '^=', '@=']);
const ANNOTATION_TYPES: Record<string, ParameterType> = {
  int: 'int',
  float: 'float',
  str: 'str',
  bool: 'bool',
  list: 'list',
  List: 'list',
  tuple: 'list',
  Tuple: 'list',
  dict: 'dict',
  Dict: 'dict',
  None: 'None',
  NoneType: 'None',
};
const TYPE_COMMENT = /^\s*type:\s*([^\s#]+)\s*#?(.*)$/;

const isOp = (token: Token | undefined, op: string): boolean => token?.kind === 'op' && token.text === op;

/** Splits `text` on `separator` where it is outside brackets. */
const splitTopLevel = (text: string, separator: string): string[] => {
  const parts = [''];
  let depth = 0;
  for (const char of text) {
    depth += '[('.includes(char) ? 1 : ')]'.includes(char) ? -1 : 0;
    if (char === separator && depth === 0) parts.push('');
    else parts[parts.length - 1] += char;
  }
  return parts;
};

/** Maps an annotation to a parameter type: int, List[str], dict[str, int], Optional[T], T | None, Union[T, None]. */
const annotationType = (annotation: string): ParameterType | null => {
  const plain = annotation
    .replace(/\s+/g, '')
    .replace(/^(['"])(.*)\1$/, '$2')
    .replace(/\btyping\./g, '');
  const union = /^Union\[(.*)\]$/.exec(plain)?.[1] ?? /^Optional\[(.*)\]$/.exec(plain)?.[1]?.concat(',None');
  const members = union !== undefined ? splitTopLevel(union, ',') : splitTopLevel(plain, '|');
  if (members.length > 1) {
    const some = members.filter((member) => member !== 'None' && member !== 'NoneType');
    return some.length === 0 ? 'None' : some.length === 1 ? annotationType(some[0] ?? '') : null;
  }
  return ANNOTATION_TYPES[plain.replace(/\[.*\]$/, '')] ?? null;
};

/** Finds the indexes of `op` tokens outside brackets, up to any lambda (whose defaults also use `=`). */
const topLevel = (tokens: Token[], op: string): number[] => {
  const found: number[] = [];
  let depth = 0;
  for (const [index, token] of tokens.entries()) {
    if (token.kind === 'name' && token.text === 'lambda') break;
    if (token.kind === 'op') depth += '([{'.includes(token.text) ? 1 : ')]}'.includes(token.text) ? -1 : 0;
    if (depth === 0 && isOp(token, op)) found.push(index);
  }
  return found;
};

/** Names statements that are never assignments by their first token (imports, definitions, blocks, magics), or null. */
const statementReason = (s: Statement): string | null => {
  const [head, second] = s.tokens;
  const keyword = head?.kind === 'name' && !isOp(second, '=') ? head.text : '';
  if (keyword === 'import' || keyword === 'from') return 'an import is not a parameter; move imports to another cell';
  if (keyword === 'def' || keyword === 'class' || isOp(head, '@'))
    return 'a definition is not a parameter; move it to another cell';
  if (COMPOUND.has(keyword))
    return `a compound \`${keyword}\` statement is not a parameter; parameters are plain top-level assignments`;
  if (STATEMENTS.has(keyword)) return `a \`${keyword}\` statement is not a parameter`;
  if (isOp(head, '%') || head?.text === '!' || head?.text === '?')
    return 'an IPython magic or shell command is not a parameter; move it to another cell';
  return null;
};

/** Explains a statement that has no `=` outside brackets. */
const notAnAssignment = (s: Statement): string => {
  const [head, second] = s.tokens;
  const broken = s.tokens.find((token) => token.kind === 'error');
  const augmented = s.tokens.find((token) => token.kind === 'op' && AUGMENTED.has(token.text));
  if (broken) return broken.message ?? `cannot read \`${broken.text}\``;
  if (augmented)
    return (
      `augmented assignment (\`${augmented.text}\`) changes an existing value; ` +
      'a parameter is assigned once with `=`'
    );
  if (head?.kind === 'name' && isOp(second, ':'))
    return `\`${s.text}\` declares a type but gives no value; write \`${head.text}: … = value\``;
  const callee = /^[\p{ID_Start}_][\p{ID_Continue}.]*(?=\()/u.exec(s.text.replace(/\s+/g, ''))?.[0];
  const call = `\`${callee}(…)\``;
  if (head?.kind === 'name' && callee) return `${call} is a call, not an assignment; move it to another cell`;
  if (head?.kind === 'string')
    return 'a string on its own (such as a docstring) is not a parameter; a parameter is `name = value`';
  return 'an expression on its own is not a parameter; a parameter is `name = value`';
};

/** Reads the target of `target = value`: a plain or annotated name, or why it is not one. */
const readTarget = (s: Statement, target: Token[]): { name: string; annotation: string | null } | string => {
  const [head, second] = target;
  const text = s.text.slice(0, (target[target.length - 1]?.end ?? 0) - (head?.start ?? 0)).trim();
  if (!head) return 'nothing comes before `=`';
  if (topLevel(target, ',').length > 0 || isOp(head, '(') || isOp(head, '[')) {
    return `\`${text}\` unpacks into several names; assign each parameter on its own line`;
  }
  if (head.kind === 'name' && (isOp(second, '.') || isOp(second, '[')))
    return `\`${text}\` assigns to an attribute or an item, not to a name`;
  if (head.kind === 'name' && KEYWORDS.has(head.text))
    return `\`${head.text}\` is a Python keyword and cannot be a parameter name`;
  if (head.kind !== 'name' || (second && !isOp(second, ':'))) return `\`${text}\` is not a Python identifier`;
  if (!second) return { name: head.text.normalize('NFKC'), annotation: null };
  const annotation = target.slice(2);
  if (annotation.length === 0) return `\`${text}\` has an empty annotation`;
  return {
    name: head.text.normalize('NFKC'),
    annotation: s.text.slice(annotation[0]!.start - head.start, annotation[annotation.length - 1]!.end - head.start),
  };
};

/** Decides whether one statement is a parameter, and if not, why. */
const classify = (s: Statement): Outcome => {
  if (s.indented)
    return {
      reason: 'this line is indented but belongs to no block; parameters are assigned at the top level of the cell',
    };
  const kind = statementReason(s);
  if (kind) return { reason: kind };
  const signs = topLevel(s.tokens, '=');
  if (signs.length === 0) return { reason: notAnAssignment(s) };
  if (signs.length > 1)
    return { reason: 'a chained assignment (`a = b = value`) is not a parameter; assign each name on its own line' };
  const sign = signs[0]!;
  const target = readTarget(s, s.tokens.slice(0, sign));
  if (typeof target === 'string') return { reason: target };
  const value = s.tokens.slice(sign + 1);
  const base = s.tokens[0]!.start;
  const literal = value.length
    ? parsePythonLiteral(s.text.slice(value[0]!.start - base, value[value.length - 1]!.end - base))
    : null;
  if (!literal) return { reason: 'nothing follows `=`', name: target.name };
  if (!literal.ok) return { reason: `the value is not a literal: ${literal.reason}`, name: target.name };
  const typed = TYPE_COMMENT.exec(s.comment ?? '');
  const annotation = target.annotation ?? typed?.[1] ?? null;
  const type = (annotation && annotationType(annotation)) || literal.type;
  const help = (typed ? (typed[2] ?? '') : (s.comment ?? '')).trim();
  return { parameter: { name: target.name, type, default: literal.value, defaultSource: literal.source, help } };
};

const isParametersCell = (cell: NotebookJson['cells'][number]): boolean => {
  const tags = cell.metadata.tags;
  return cell.cell_type === 'code' && Array.isArray(tags) && tags.includes('parameters');
};

/**
 * Reads the parameters of a notebook as papermill does: top-level literal assignments in the first code cell tagged
 * `parameters`.
 */
export const inferParameters = (notebook: NotebookJson): ParameterInference => {
  const cellIndex = notebook.cells.findIndex(isParametersCell);
  if (cellIndex < 0) return { cellIndex: null, parameters: [], problems: [] };
  const parameters: Parameter[] = [];
  const problems: ParameterProblem[] = [];
  for (const statement of splitStatements(joinSource(notebook.cells[cellIndex]!.source))) {
    const outcome = classify(statement);
    const earlier = parameters.findIndex(
      (p) => p.name === ('parameter' in outcome ? outcome.parameter.name : outcome.name),
    );
    if ('parameter' in outcome) {
      // As in Python, the last assignment wins; the parameter keeps the place where it first appeared.
      if (earlier >= 0) parameters[earlier] = outcome.parameter;
      else parameters.push(outcome.parameter);
      continue;
    }
    // A later non-literal value replaces the earlier literal at run time, so the earlier default would mislead.
    const dropped = earlier >= 0 ? parameters.splice(earlier, 1)[0] : undefined;
    const note = dropped
      ? `; \`${dropped.name}\` is no longer a parameter because this line replaces its earlier value`
      : '';
    problems.push({ line: statement.line, text: statement.text, reason: outcome.reason + note });
  }
  return { cellIndex, parameters, problems };
};
