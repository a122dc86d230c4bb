import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** How long a cold production build of the portal may take on a slow CI machine. */
export const BUILD_TIMEOUT_MS = 300_000;

/**
 * Builds the portal when web/dist is missing or older than web/ (the same script `npm start` runs), so
 * the browser tests always exercise the current sources. Test files call it once, in beforeAll; the
 * script's lock makes parallel files wait for one build instead of racing.
 */
export const ensurePortalBuilt = (): void => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: BUILD_TIMEOUT_MS,
  });
};
