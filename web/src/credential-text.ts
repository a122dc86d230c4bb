/** The text the Credentials page shows and copies: shell exports, a profile block, a credential_process line. */

import type { IssuedCredentials } from './api-client.ts';

/** STS's shortest session, in seconds (the API refuses less). */
export const MIN_SESSION_SECONDS = 900;
/** The API's default session, capped at the role's maximum. */
export const DEFAULT_SESSION_SECONDS = 3600;

/** Where the credential_process line expects an Orrery checkout; the page asks people to replace it. */
export const CHECKOUT_PLACEHOLDER = '/path/to/orrery';

// Characters a POSIX shell leaves alone unquoted; anything else gets single quotes (STS keys hold `/` and `+`).
const SHELL_SAFE = /^[A-Za-z0-9_./+=:@%,-]+$/;

/** A value as one shell word: as it is when safe, else in single quotes with inner quotes escaped. */
export const shellQuote = (value: string): string =>
  SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;

/** The AWS profile name Orrery suggests for a role. */
export const profileName = (role: string): string => `orrery-${role}`;

/** `export AWS_ACCESS_KEY_ID=…` and the secret key and session token, one line each, for a POSIX shell. */
export const exportLines = (keys: IssuedCredentials): string =>
  [
    `export AWS_ACCESS_KEY_ID=${shellQuote(keys.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${shellQuote(keys.secretAccessKey)}`,
    `export AWS_SESSION_TOKEN=${shellQuote(keys.sessionToken)}`,
  ].join('\n');

/** A `~/.aws/credentials` profile block (`[orrery-<role>]`), headed by a comment saying when the keys stop working. */
export const profileBlock = (keys: IssuedCredentials): string =>
  [
    `# ${keys.role} (${keys.account}) from Orrery; expires ${keys.expiration}`,
    `[${profileName(keys.role)}]`,
    `aws_access_key_id = ${keys.accessKeyId}`,
    `aws_secret_access_key = ${keys.secretAccessKey}`,
    `aws_session_token = ${keys.sessionToken}`,
  ].join('\n');

/**
 * A `~/.aws/config` profile whose credential_process runs `npm run credentials` from an Orrery checkout, so the
 * SDKs and the CLI fetch fresh keys themselves. The path stays absolute: credential_process runs without a shell.
 */
export const credentialProcessBlock = (role: string, apiUrl: string, checkout = CHECKOUT_PLACEHOLDER): string =>
  [
    `[profile ${profileName(role)}]`,
    `credential_process = npm --prefix ${shellQuote(checkout)} run -s credentials -- ` +
      `--role ${shellQuote(role)} --api ${shellQuote(apiUrl.replace(/\/+$/, ''))}`,
  ].join('\n');

/** The API's address as the helper needs it: absolute, resolved against the portal's origin when relative. */
export const absoluteApiUrl = (apiUrl: string, origin: string): string =>
  new URL(apiUrl, `${origin.replace(/\/+$/, '')}/`).href.replace(/\/+$/, '');

/** Whole seconds left until `expiration` at `now` (ms); 0 once it has passed, and for a date that cannot be read. */
export const secondsLeft = (expiration: string, now: number): number => {
  const at = Date.parse(expiration);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
};

const pad = (n: number) => String(n).padStart(2, '0');

/** The countdown: `1 h 05 min 09 s left`, `4 min 02 s left`, `9 s left`, then `Expired`. */
export const countdownText = (seconds: number): string => {
  if (seconds <= 0) return 'Expired';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${pad(m)} min ${pad(s)} s left`;
  if (m > 0) return `${m} min ${pad(s)} s left`;
  return `${s} s left`;
};

/** The longest duration the page offers for a role, in whole minutes (STS takes seconds; people think in minutes). */
export const maxMinutes = (maxSessionSeconds: number): number => Math.floor(maxSessionSeconds / 60);

/** The duration the form starts with, in minutes: the API's default, capped at the role's maximum. */
export const defaultMinutes = (maxSessionSeconds: number): number =>
  Math.min(DEFAULT_SESSION_SECONDS / 60, maxMinutes(maxSessionSeconds));

/** Why a typed duration (minutes) is refused for a role, or null when it is fine. */
export const durationProblem = (typed: string, maxSessionSeconds: number): string | null => {
  const low = MIN_SESSION_SECONDS / 60;
  const high = maxMinutes(maxSessionSeconds);
  const text = typed.trim();
  if (!/^\d+$/.test(text)) return `Enter a whole number of minutes, ${low} to ${high}.`;
  const minutes = Number(text);
  if (minutes < low) return `At least ${low} minutes: AWS issues no shorter session.`;
  if (minutes > high) return `At most ${high} minutes: the longest session this role allows.`;
  return null;
};
