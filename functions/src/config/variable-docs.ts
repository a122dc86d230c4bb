import * as z from 'zod';

/** Where a variable is read: by the Lambdas (`cloud`) or by `npm start` (`local`). */
export type Mode = 'cloud' | 'local';

/** What the configuration reference (docs/configuration.md) says about one variable. */
export interface VariableDoc {
  /** What it means, in a sentence or two of Markdown. */
  description: string;
  /** The modes that read it. */
  modes: readonly Mode[];
  /** In the cloud: what the deploy sets it from (a field of infra/orrery.config.json, a resource). */
  deploy?: string;
  /** Local mode sets it itself, to this; a value in your environment is replaced. */
  setLocally?: string;
  /** The default as the reference shows it, where the schema's is computed (a path) or lives elsewhere. */
  defaultText?: string;
  /** A credential: an error names the variable but never echoes its value. */
  secret?: boolean;
}

/** Each variable's reference entry, attached to its schema (a zod registry: the metadata travels with it). */
export const VARIABLE_DOCS = z.registry<VariableDoc>();

/** One variable's schema with its reference entry. */
export const documented = <T extends z.ZodType>(schema: T, doc: VariableDoc): T => {
  VARIABLE_DOCS.add(schema as z.ZodType, doc);
  return schema;
};

const range = (min: number, max?: number) => (max === undefined ? `of at least ${min}` : `from ${min} to ${max}`);

/** A whole number in a range with a default; anything else (`6o`, `1.5`) is refused with the range. */
export const wholeNumber = (fallback: number, min: number, max?: number) => {
  const message = `a whole number ${range(min, max)}`;
  const base = z.coerce.number({ error: message }).int(message).min(min, message);
  return (max === undefined ? base : base.max(max, message)).default(fallback);
};

/** A number (fractions allowed) in a range with a default. */
export const decimal = (fallback: number, min: number, max?: number, unit = 'a number') => {
  const message = `${unit} ${range(min, max)}`;
  const base = z.coerce.number({ error: message }).min(min, message);
  return (max === undefined ? base : base.max(max, message)).default(fallback);
};

/** A URL, or unset. */
export const optionalUrl = () => z.url('a URL (https://…)').optional();

/** The variables of a parsed schema, by name. */
type Variables<S extends z.ZodObject> = z.output<S>;

/**
 * Parses `env` with one of the configuration schemas; a bad value stops start-up with every variable at fault,
 * what it should be and the value given (never a credential's): `configuration: PORT: a whole number … (got "80a")`.
 */
export const parseVariables = <S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): Variables<S> => {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const field = schema.shape[name] as z.ZodType | undefined;
    const secret = field ? VARIABLE_DOCS.get(field)?.secret : false;
    const given = env[name] === undefined || secret ? '' : ` (got ${JSON.stringify(env[name])})`;
    return `${name}: ${issue.message}${given}`;
  });
  throw new Error(`configuration: ${problems.join('; ')}`);
};
