// The AWS credential_process helper's logic (scripts/credentials.ts is its entry): ask Orrery's API for keys and
// answer in the shape the AWS CLI and SDKs read. Kept apart from the entry so tests call it without a process.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** The API `npm start` serves by default. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080/api';

/** What a credential_process prints: the documented `Version: 1` object with an expiry, so the SDKs refresh. */
export interface ProcessCredentials {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

/** The outcome of one call: what to print on each stream and the exit code. */
export interface ProcessResult {
  code: 0 | 1;
  stdout: string;
  stderr: string;
}

/** Where the helper reads its inputs; the real process's by default, a test's own otherwise. */
export interface ProcessIo {
  argv: string[];
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  readFile?: (path: string) => string;
}

const USAGE =
  'usage: npm run -s credentials -- --role <name> [--api <url>] [--duration <seconds>]\n' +
  '  the bearer token comes from ORRERY_TOKEN, or from the file ORRERY_TOKEN_FILE names';

class HelperError extends Error {}

const parse = (argv: string[]) => {
  try {
    return parseArgs({
      args: argv,
      options: {
        role: { type: 'string' },
        api: { type: 'string' },
        duration: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    throw new HelperError(`${(err as Error).message}\n${USAGE}`);
  }
};

const tokenFrom = (io: ProcessIo): string => {
  const inline = io.env.ORRERY_TOKEN?.trim();
  if (inline) return inline;
  const file = io.env.ORRERY_TOKEN_FILE?.trim();
  if (!file)
    throw new HelperError(
      'no token: set ORRERY_TOKEN to your bearer token, or ORRERY_TOKEN_FILE to a file holding it ' +
        '(locally: npm run -s token -- <user> > ~/.orrery-token)',
    );
  let text: string;
  try {
    text = (io.readFile ?? ((p) => readFileSync(p, 'utf8')))(file);
  } catch (err) {
    throw new HelperError(`ORRERY_TOKEN_FILE ${file} cannot be read: ${(err as Error).message}`);
  }
  if (!text.trim()) throw new HelperError(`ORRERY_TOKEN_FILE ${file} is empty: put your bearer token in it`);
  return text.trim();
};

const durationFrom = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new HelperError(`--duration ${text}: give whole seconds, e.g. --duration 3600`);
  return Number(text);
};

const apiFrom = (text: string): string => {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new HelperError(`--api ${text}: give the API's URL, e.g. ${DEFAULT_API_URL}`);
  }
  return text.replace(/\/+$/, '');
};

// What to fix, by the API's status; the API's own message follows.
const ADVICE: Record<number, string> = {
  400: 'check --duration against the role (GET /credentials/roles shows its maximum)',
  401: 'the token was refused (expired, or from another platform): get a new one and update ORRERY_TOKEN(_FILE)',
  403: "you do not hold that role (the portal's Credentials page lists yours), or its trust policy refuses Orrery",
  429: 'AWS is throttling: try again in a moment',
  503: 'the platform cannot reach AWS STS: its operator must give it AWS credentials',
};

const failureOf = async (res: Response, api: string): Promise<HelperError> => {
  const text = await res.text().catch(() => '');
  let message = '';
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not the API's JSON (a proxy's page, a wrong --api): the status says enough.
  }
  const advice = ADVICE[res.status] ?? (res.status === 404 ? `is ${api} Orrery's API? check --api` : null);
  return new HelperError(
    `${api} answered ${res.status}${message ? `: ${message}` : ''}${advice ? `\n  ${advice}` : ''}`,
  );
};

const isIssued = (
  body: unknown,
): body is Record<'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiration', string> =>
  typeof body === 'object' &&
  body !== null &&
  ['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration'].every(
    (k) => typeof (body as Record<string, unknown>)[k] === 'string',
  );

const issue = async (io: ProcessIo): Promise<ProcessCredentials | null> => {
  const args = parse(io.argv);
  if (args.help) return null;
  if (!args.role) throw new HelperError(`--role is required\n${USAGE}`);
  const api = apiFrom(args.api ?? DEFAULT_API_URL);
  const durationSeconds = durationFrom(args.duration);
  const token = tokenFrom(io);
  let res: Response;
  try {
    res = await (io.fetch ?? globalThis.fetch)(`${api}/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ role: args.role, durationSeconds }),
    });
  } catch (err) {
    const inner = (err as { cause?: { code?: string; message?: string } }).cause;
    const cause = inner?.code ?? inner?.message ?? (err as Error).message;
    throw new HelperError(`cannot reach ${api} (${cause}): is the platform running? set --api to its API URL`);
  }
  if (!res.ok) throw await failureOf(res, api);
  const body: unknown = await res.json().catch(() => null);
  if (!isIssued(body)) throw new HelperError(`${api} answered ${res.status} without keys: check --api`);
  return {
    Version: 1,
    AccessKeyId: body.accessKeyId,
    SecretAccessKey: body.secretAccessKey,
    SessionToken: body.sessionToken,
    Expiration: body.expiration,
  };
};

/**
 * One run of the helper: keys for `--role` as credential_process JSON on stdout (exit 0), or what to fix on stderr
 * (exit 1). Nothing else is ever printed on stdout, since the AWS CLI parses all of it.
 */
export const credentialProcess = async (io: ProcessIo): Promise<ProcessResult> => {
  try {
    const credentials = await issue(io);
    if (!credentials) return { code: 0, stdout: '', stderr: `${USAGE}\n` };
    return { code: 0, stdout: `${JSON.stringify(credentials)}\n`, stderr: '' };
  } catch (err) {
    if (!(err instanceof HelperError)) throw err;
    return { code: 1, stdout: '', stderr: `orrery credentials: ${err.message}\n` };
  }
};
