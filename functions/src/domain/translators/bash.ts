import type { TypedValue } from '../typed-values.ts';
import { floatText } from './text.ts';
import { CannotTranslate, defineTranslator } from './translator.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Variables bash (or the loader) acts on: a value there runs as code (PROMPT_COMMAND, PS1's $(…),
// BASH_ENV) or changes what every later command means (PATH, IFS). Never a parameter.
const SPECIAL = new Set([
  'PROMPT_COMMAND',
  'PS0',
  'PS1',
  'PS2',
  'PS3',
  'PS4',
  'ENV',
  'PATH',
  'IFS',
  'CDPATH',
  'GLOBIGNORE',
  'SHELLOPTS',
  'HOME',
  'SHELL',
  'TERM',
  'HISTFILE',
  'MAIL',
  'MAILPATH',
  'OPTIND',
  'OPTARG',
  'PWD',
  'OLDPWD',
  'UID',
  'EUID',
  'PPID',
  'RANDOM',
  'SECONDS',
  'LINENO',
  'REPLY',
  'TMOUT',
]);
const isSpecial = (name: string) =>
  SPECIAL.has(name) || /^(BASH|LD_|LC_|DYLD_)/.test(name) || name === 'LANG' || name === 'FUNCNEST';

// Bash variables hold text: a number is its digits, a float Python's repr of it (nan, inf, -0.0), None an empty string.
const floatWord = (value: number): string =>
  Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : floatText(value);

/** Single-quotes text for the shell: nothing inside '…' is special, and a quote is closed, escaped and reopened. */
export const shellQuote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

const literal = (value: TypedValue): string => {
  if (value.type === 'int') return value.value.toString();
  if (value.type === 'float') return floatWord(value.value);
  if (value.type === 'bool') return value.value ? 'true' : 'false';
  if (value.type === 'None') return "''";
  if (value.type === 'str') {
    if (value.value.includes('\0')) throw new CannotTranslate('bash variables cannot hold NUL (\\0) characters');
    return shellQuote(value.value);
  }
  throw new CannotTranslate(`bash takes scalars only (str, int, float, bool, None), got a ${value.type}`);
};

/** Bash: scalars as shell words, `name=value` with no spaces; lists and dicts are refused. */
export const BASH = defineTranslator({
  language: 'bash',
  isIdentifier: (name) => IDENTIFIER.test(name) && !isSpecial(name),
  literal,
  statement: (name, text) => `${name}=${text}`,
  commentPrefix: '#',
});
