import { ValidationError } from '../errors.ts';
import { BASH } from './bash.ts';
import { JULIA } from './julia.ts';
import { PYTHON } from './python.ts';
import { R } from './r.ts';
import { SCALA } from './scala.ts';
import { shown, type Translator } from './translator.ts';

export type { Translator } from './translator.ts';

// One line per language: the translator, then any other names kernels report for that language.
const REGISTRATIONS: Array<[Translator, ...string[]]> = [[PYTHON, 'python3'], [R], [JULIA], [SCALA], [BASH, 'sh']];

/** The parameter translators by lower-cased kernel language, aliases included ('python3', 'sh'). */
export const TRANSLATORS: ReadonlyMap<string, Translator> = new Map(
  REGISTRATIONS.flatMap(([translator, ...aliases]) =>
    [translator.language, ...aliases].map((key) => [key.toLowerCase(), translator] as const),
  ),
);

/**
 * The translator for a notebook's kernel language (any case); a missing or unknown language is a 400 listing the known
 * ones.
 */
export const translatorFor = (language: string | null): Translator => {
  const translator = language === null ? undefined : TRANSLATORS.get(language.trim().toLowerCase());
  if (translator) return translator;
  const known = [...TRANSLATORS.keys()].join(', ');
  const what =
    language === null
      ? "the notebook's kernel names no language"
      : `there is no parameter translator for the language ${shown(language)}`;
  const message = `${what}; parameters can be injected into notebooks in: ${known}`;
  throw new ValidationError(message, [{ path: 'metadata.kernelspec.language', message }], 'unsupported_language');
};
