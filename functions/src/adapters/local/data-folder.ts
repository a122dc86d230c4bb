import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Reads a JSON file of the data folder, or the fallback when it does not exist yet. */
export const readJson = <T>(file: string, fallback: T): T =>
  existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : fallback;

/** Writes a JSON file atomically (temp file, then rename): a crash never leaves half a file. Owner-only by default. */
export const writeJson = (file: string, value: unknown, mode = 0o600): void => {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  // The mode given at creation is masked by the umask; the file's mode must not depend on it.
  chmodSync(temp, mode);
  renameSync(temp, file);
};

/** Where each part of local mode keeps its data under ORRERY_HOME. */
export const dataPaths = (home: string) => ({
  home,
  dynamodb: join(home, 'dynamodb'),
  s3: join(home, 's3'),
  secrets: join(home, 'secrets.json'),
  users: join(home, 'users.json'),
  loginCodes: join(home, 'login-codes.json'),
  /** The port s3rver last listened on: reused when free, so presigned URLs outlive a restart. */
  s3Port: join(home, 's3-port'),
});

/** The files of the data folder that hold secrets: the signing key and cursor secret, one-time login codes. */
export const secretFiles = (paths: ReturnType<typeof dataPaths>): string[] => [paths.secrets, paths.loginCodes];

/**
 * Makes the data folder the developer's alone: the folder 0700 (it holds every notebook, run and token) and
 * each secret file 0600, also when an earlier version or a copy left them readable by others.
 */
export const secureDataFolder = (paths: ReturnType<typeof dataPaths>): void => {
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  if ((statSync(paths.home).mode & 0o077) !== 0) chmodSync(paths.home, 0o700);
  for (const file of secretFiles(paths)) {
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
};
