import { ValidationError } from '../errors.ts';
import type { TypedValue } from '../typed-values.ts';

/** Turns typed parameter values into assignments in one kernel language, as papermill's translators do. */
export interface Translator {
  /** The language as kernels name it (kernelspec.language). */
  language: string;
  /** Whether `name` can be assigned as it is: an identifier of the language that is not a reserved word. */
  isIdentifier(name: string): boolean;
  /** One line that gives `name` exactly `value`; a ValidationError for a name or value the language cannot take. */
  assign(name: string, value: TypedValue): string;
  /** A one-line comment. */
  comment(text: string): string;
}

/** What a language file supplies; defineTranslator adds the name guard and the error wording. */
export interface TranslatorParts {
  language: string;
  isIdentifier(name: string): boolean;
  /**
   * The literal of `value`; may push a note (for a value the language holds only approximately) that ends the line as a
   * comment.
   */
  literal(value: TypedValue, notes: string[]): string;
  /** The statement that assigns an already translated literal. */
  statement(name: string, literal: string): string;
  commentPrefix: string;
}

/** Thrown by a language's `literal` for a value the language cannot hold at all. */
export class CannotTranslate extends Error {}

/** Cuts `text` for an error message. */
const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A string as error messages show it: single-quoted, control characters escaped, cut to `max` characters. */
export const shown = (text: string, max = 40): string =>
  `'${JSON.stringify(cut(text, max)).slice(1, -1).replaceAll("'", "\\'")}'`;

/**
 * Where a parameter is in a request: `parameters.days`, or `parameters["odd name"]` for names that are not plain words.
 */
export const parameterPath = (name: string): string =>
  /^[\p{L}\p{N}_]{1,64}$/u.test(name) ? `parameters.${name}` : `parameters[${JSON.stringify(cut(name, 64))}]`;

/** Builds a Translator whose `assign` refuses any name that is not an identifier, so a name can never carry code. */
export const defineTranslator = (parts: TranslatorParts): Translator => ({
  language: parts.language,
  isIdentifier: parts.isIdentifier,
  comment: (text) => `${parts.commentPrefix} ${text.replace(/[\r\n\u2028\u2029]+/g, ' ')}`.trim(),
  assign(name, value) {
    const path = parameterPath(name);
    const refuse = (message: string): never => {
      throw new ValidationError(`${path}: ${message}`, [{ path, message }], 'invalid_parameters');
    };
    if (!parts.isIdentifier(name))
      refuse(`${shown(name)} is not a ${parts.language} identifier, or is a reserved word`);
    const notes: string[] = [];
    try {
      const line = parts.statement(name, parts.literal(value, notes));
      return notes.length ? `${line}  ${parts.commentPrefix} ${notes.join('; ')}` : line;
    } catch (err) {
      if (err instanceof CannotTranslate) return refuse(err.message);
      throw err;
    }
  },
});
