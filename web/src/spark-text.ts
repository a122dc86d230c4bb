/** The Spark preview's request from the launch form's fields, and the words the portal shows for sessions. */

/** What the Spark preview fields hold, as typed (empty: let the platform's rules decide). */
export interface SparkFields {
  pool: string;
  /** Executor cores, a whole number. */
  cores: string;
  /** Executor memory in whole GB (Spark's `<n>g`). */
  memoryGb: string;
  /** The most executors dynamic allocation may scale to (`spark.executor.instances`). */
  maxExecutors: string;
  /** More options, one `key=value` a line (`#` starts a comment), as in spark-defaults.conf. */
  conf: string;
}

/** The empty form: every number from the platform's rules. */
export const EMPTY_SPARK_FIELDS: SparkFields = { pool: '', cores: '', memoryGb: '', maxExecutors: '', conf: '' };

/** A field's problem, by field, for the message beside it. */
export type SparkFieldProblems = Partial<Record<keyof SparkFields, string>>;

/** The request body of POST /spark/preview (and what `create_spark_session` is given). */
export interface SparkAsk {
  pool?: string;
  conf: Record<string, string>;
}

// Spark's own option names; the rules read the requested instances as the maximum under dynamic allocation.
const KEYS = {
  cores: 'spark.executor.cores',
  memoryGb: 'spark.executor.memory',
  maxExecutors: 'spark.executor.instances',
} as const;

/**
 * Reads `key=value` lines (or `key value`, as spark-defaults.conf allows); blank lines and `#` comments are
 * skipped. A line without a value is a problem naming its line number.
 */
export const parseConfLines = (text: string): { conf: Record<string, string>; problem: string | null } => {
  const conf: Record<string, string> = {};
  const bad: number[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([^\s=]+)\s*(?:=|\s)\s*(.*)$/.exec(line);
    const value = match?.[2]?.trim();
    if (!match || !value) bad.push(i + 1);
    else conf[match[1]!] = value;
  }
  if (!bad.length) return { conf, problem: null };
  return {
    conf,
    problem: `Write one key=value a line, e.g. spark.sql.adaptive.enabled=true (line ${bad.join(', ')}).`,
  };
};

const wholeNumber = (text: string, least: number): number | null =>
  /^\d+$/.test(text) && Number(text) >= least ? Number(text) : null;

/**
 * The preview request of the fields, or the problems that keep it from being asked: cores and max executors are
 * whole numbers (cores at least 1), memory a whole number of GB (at least 1). The three fields win over the same keys
 * written in the conf lines, because they are what the form shows.
 */
export const sparkAsk = (fields: SparkFields): { ask: SparkAsk | null; problems: SparkFieldProblems } => {
  const problems: SparkFieldProblems = {};
  const { conf, problem } = parseConfLines(fields.conf);
  if (problem) problems.conf = problem;
  const cores = fields.cores.trim();
  const memory = fields.memoryGb.trim();
  const executors = fields.maxExecutors.trim();
  if (cores) {
    if (wholeNumber(cores, 1) === null) problems.cores = 'Cores are a whole number, at least 1.';
    else conf[KEYS.cores] = String(Number(cores));
  }
  if (memory) {
    // Spark takes `<n>g` only in whole GB, and so do the rules.
    if (wholeNumber(memory, 1) === null) problems.memoryGb = 'Memory is a whole number of GB, at least 1 (e.g. 28).';
    else conf[KEYS.memoryGb] = `${Number(memory)}g`;
  }
  if (executors) {
    if (wholeNumber(executors, 0) === null) problems.maxExecutors = 'Max executors is a whole number.';
    else conf[KEYS.maxExecutors] = String(Number(executors));
  }
  if (Object.keys(problems).length) return { ask: null, problems };
  const pool = fields.pool.trim();
  return { ask: { ...(pool ? { pool } : {}), conf }, problems };
};

/** A Python string literal (JSON's escapes are Python's too). */
const py = (value: string) => JSON.stringify(value);

/** The notebook call that asks for the same Spark: `create_spark_session(pool=…, conf={…})`. */
export const notebookCall = (ask: SparkAsk): string => {
  const args: string[] = [];
  if (ask.pool) args.push(`pool=${py(ask.pool)}`);
  const entries = Object.entries(ask.conf);
  if (entries.length) args.push(`conf={\n${entries.map(([k, v]) => `        ${py(k)}: ${py(v)},`).join('\n')}\n    }`);
  const call = args.length > 1 || entries.length ? `(\n    ${args.join(',\n    ')},\n)` : `(${args.join('')})`;
  return `from orrery.spark import create_spark_session\n\nspark = create_spark_session${call}`;
};

/** What a session's or a preview's executors look like. */
export interface ExecutorsOf {
  executor: { cores: number; memoryGb: number };
  dynamicAllocation: boolean;
  maxExecutors: number;
  initialExecutors: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `4 cores, 28 GB` each. */
export const formatExecutorShape = ({ cores, memoryGb }: ExecutorsOf['executor']): string =>
  `${plural(cores, 'core')}, ${memoryGb} GB`;

/**
 * Executors in words: `0 to 8 executors of 4 cores, 28 GB` with dynamic allocation (starting at the initial
 * count), `2 executors of 4 cores, 28 GB` without.
 */
export const formatExecutors = (s: ExecutorsOf): string =>
  s.dynamicAllocation
    ? `${s.initialExecutors} to ${plural(s.maxExecutors, 'executor')} of ${formatExecutorShape(s.executor)}`
    : `${plural(s.maxExecutors, 'executor')} of ${formatExecutorShape(s.executor)}`;
