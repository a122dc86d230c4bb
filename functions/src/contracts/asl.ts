import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder of the ASL files, shared by CDK and local mode. */
export const STATEMACHINES_DIR = join(import.meta.dirname, '..', '..', '..', 'statemachines');

/** The `${Name}` placeholders an ASL text uses. */
export const placeholdersOf = (text: string): string[] =>
  [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!))].sort();

/** Substitutes every placeholder; one left without a value is an error naming it. */
export const substitute = (text: string, values: Record<string, string>): string => {
  const missing = placeholdersOf(text).filter((name) => values[name] === undefined);
  if (missing.length) throw new Error(`no value for ASL placeholder(s): ${missing.join(', ')}`);
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => values[name]!);
};

/** Reads `statemachines/<name>.asl.json` as text. */
export const readAsl = (name: string): string => readFileSync(join(STATEMACHINES_DIR, `${name}.asl.json`), 'utf8');
