import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** How long a cold install (npm ci in lab/) and build of JupyterLab may take on a slow CI machine. */
export const LAB_BUILD_TIMEOUT_MS = 600_000;

/**
 * Builds the JupyterLab local servers serve (lab/build) when it is missing or stale, with the script `npm start`
 * and `npm test` run; its lock makes parallel test files wait for one build.
 */
export const ensureLabBuilt = (): void => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-lab.mjs'), '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: LAB_BUILD_TIMEOUT_MS,
  });
};

/**
 * Whether Debian's jupyterlab_server (the server half of JupyterLab) is here; with CI=true its absence is a
 * failure, not a skip.
 */
export const labServerAvailable = (): boolean => {
  const ok = spawnSync('/usr/bin/python3', ['-c', 'import jupyterlab_server'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI === 'true')
    throw new Error('jupyterlab_server is missing and CI=true: apt-get install python3-jupyterlab-server');
  return ok;
};
