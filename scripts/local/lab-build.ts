import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** What `scripts/build-lab.mjs --status` answers: whether lab/ needs an install and a build, and why. */
export interface LabBuildPlan {
  install: boolean;
  build: boolean;
  reason: string | null;
}

/** The JupyterLab build `npm start` runs beside the platform, if one was needed. */
export interface LabBuild {
  plan: LabBuildPlan;
  /** The build's process while it runs (it prints its own "built" or "failed" line). */
  child: ChildProcess | null;
  /** The line the start-up banner shows about JupyterLab. */
  banner: string;
}

/**
 * Starts `scripts/build-lab.mjs --if-stale` in the background when lab/build is missing or stale, so the first
 * `npm start` serves the portal at once instead of after the install (about a minute): servers launched meanwhile
 * answer /lab with a page that says JupyterLab is being built and reloads itself. Same process group as the
 * platform, so Ctrl-C ends it too (the script then frees its lock).
 */
export const startLabBuild = (root: string): LabBuild => {
  const script = join(root, 'scripts', 'build-lab.mjs');
  const log = join(root, 'lab', 'build.log');
  const status = spawnSync(process.execPath, [script, '--status'], { cwd: root, encoding: 'utf8' });
  const plan = JSON.parse(status.stdout || '{}') as LabBuildPlan;
  if (status.status !== 0) {
    const why = status.stderr.trim().split('\n')[0] || status.error?.message || `exit ${status.status}`;
    return { plan, child: null, banner: `JupyterLab: could not check lab/build (${why}); npm run build:lab` };
  }
  if (!plan.build) return { plan, child: null, banner: `JupyterLab: ${join(root, 'lab', 'build')}, served at /lab` };
  const child = spawn(process.execPath, [script, '--if-stale'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const minutes = plan.install ? 'about a minute' : 'a few seconds';
  return {
    plan,
    child,
    banner: `JupyterLab: building in the background (${plan.reason}; ${minutes}; log: ${log})`,
  };
};
