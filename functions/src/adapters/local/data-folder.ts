import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Reads a JSON file of the data folder, or the fallback when it does not exist yet. */
export const readJson = <T>(file: string, fallback: T): T => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : fallback);

/** Writes a JSON file atomically (temp file, then rename) so a crash never leaves half a file. */
export const writeJson = (file: string, value: unknown, mode = 0o600): void => {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode });
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
});
