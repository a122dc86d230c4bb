import * as z from 'zod';
import { SECRET_VARIABLES } from './cloud-config.ts';
import { LOCAL_VARIABLES } from './local-variables.ts';
import { destinationUrlVariables } from './notify-destinations.ts';
import { type VariableDoc, VARIABLE_DOCS } from './variable-docs.ts';
import { FUNCTION_VARIABLES } from './variables.ts';

// Every variable of both schemas with its reference entry: what scripts/docs/config-reference.ts writes into
// docs/configuration.md, and what local mode checks a developer's ORRERY_* names against.

/** One variable as the configuration reference shows it. */
export interface ReferenceEntry extends VariableDoc {
  name: string;
  /** The default as text (Markdown), or undefined when there is none. */
  defaultValue?: string;
  /** Start-up fails without it (unless the mode sets it itself). */
  required: boolean;
  /** In the cloud, the variable naming the secret whose value it gets at cold start. */
  cloudSecret?: string;
}

/** ORRERY_* variables read by tools rather than the functions, so not settings local mode would ignore. */
export const TOOL_VARIABLES: Readonly<Record<string, string>> = {
  ORRERY_INFRA_CONFIG:
    'the deployment configuration file the CDK app and `npm run k8s:manifests` read (default ' +
    '`infra/orrery.config.json`)',
  ORRERY_FAULT_SEED: 'the seed of the fault suite (`functions/test/faults`), to replay one run',
};

const MiB = 1024 * 1024;

const defaultOf = (schema: z.ZodType, doc: VariableDoc): string | undefined => {
  if (doc.defaultText) return doc.defaultText;
  if (!(schema instanceof z.ZodDefault)) return undefined;
  const value: unknown = schema.def.defaultValue;
  const mib = typeof value === 'number' && value >= MiB && value % MiB === 0 ? ` (${value / MiB} MiB)` : '';
  return `\`${String(value)}\`${mib}`;
};

/** Every variable the functions and local mode read, in schema order (functions first), with its entry. */
export const configurationReference = (): ReferenceEntry[] =>
  Object.entries({ ...FUNCTION_VARIABLES.shape, ...LOCAL_VARIABLES.shape }).map(([name, schema]) => {
    const doc = VARIABLE_DOCS.get(schema);
    if (!doc) throw new Error(`${name} has no reference entry: give it one with documented(…) in its schema`);
    const cloudSecret = SECRET_VARIABLES.find((s) => s.value === name)?.secret;
    const required = !schema.safeParse(undefined).success;
    return { name, ...doc, defaultValue: defaultOf(schema, doc), required, ...(cloudSecret ? { cloudSecret } : {}) };
  });

// How many single-letter edits turn one name into the other (Levenshtein), to suggest the name meant.
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
};

/**
 * The ORRERY_* names in `env` that nothing reads (a misspelt setting is otherwise ignored without a word), each
 * with the known name it is closest to when that is a likely typo.
 */
export const unknownVariables = (env: Record<string, string | undefined>): { name: string; meant?: string }[] => {
  const known = [...Object.keys(FUNCTION_VARIABLES.shape), ...Object.keys(LOCAL_VARIABLES.shape)];
  // A destination's URL variable (`urlEnv`) is named by ORRERY_NOTIFY_DESTINATIONS, so it is read too.
  const urls = destinationUrlVariables(env.ORRERY_NOTIFY_DESTINATIONS);
  const ignored = new Set([...known, ...Object.keys(TOOL_VARIABLES), ...urls]);
  return Object.keys(env)
    .filter((name) => name.startsWith('ORRERY_') && !ignored.has(name))
    .map((name) => {
      const [meant] = known.map((k) => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d);
      // Up to three edits, fewer for short names, so ORRERY_FOO is not taken for ORRERY_HOME.
      const likely = meant && meant.d <= Math.min(3, Math.floor((name.length - 'ORRERY_'.length) / 3));
      return likely ? { name, meant: meant.k } : { name };
    });
};
