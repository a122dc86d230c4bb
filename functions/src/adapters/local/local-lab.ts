import { delimiter, join } from 'node:path';
import type { ServerLaunchSpec } from '../../ports/server-compute.ts';

/**
 * The `jupyter server` arguments that load Orrery's server extension (lab/orrery_lab): JupyterLab at /lab (the
 * npm build in lab/build, or a page saying it is being built), `/` landing there, and the Orrery routes. JupyterLab's
 * settings and workspaces go in the server's folder, beside `work/`, so they outlive a relaunch and stay out of the
 * checkout and out of the files notebooks list.
 */
export const labServerArgs = (serverDir: string): string[] => [
  '--ServerApp.jpserver_extensions=orrery_lab=True',
  `--OrreryLabApp.user_settings_dir=${join(serverDir, 'lab', 'user-settings')}`,
  `--OrreryLabApp.workspaces_dir=${join(serverDir, 'lab', 'workspaces')}`,
];

/**
 * The environment the Jupyter server process gets for Orrery (the pod's notebook container gets the same names):
 * where the build is, and what the Orrery handlers call — the API, this server's name (its token is JUPYTER_TOKEN)
 * and the portal, for links. Kernels inherit it: the notebook helper (`orrery.spark`) calls the same API with the
 * same name and token.
 */
export const labServerEnvironment = (
  labDir: string | undefined,
  spec: Pick<ServerLaunchSpec, 'apiUrl' | 'name' | 'portalUrl'>,
): Record<string, string> => ({
  ...(labDir ? { ORRERY_LAB_STATIC_DIR: join(labDir, 'build') } : {}),
  ORRERY_API_URL: spec.apiUrl,
  ORRERY_SERVER_NAME: spec.name,
  ORRERY_PORTAL_URL: spec.portalUrl,
});

/**
 * PYTHONPATH of a local server's Jupyter and its kernels: Orrery's folders from the checkout first — lab/ (the
 * orrery_lab extension) and images/notebook-server (the `orrery` package notebooks import, which the image installs)
 * — then the developer's own PYTHONPATH, which the kernel allowlist passes (a Spark distribution's python/, say).
 * Empty when there is nothing to put there.
 */
export const serverPythonPath = (orreryDirs: readonly (string | undefined)[], inherited: string | undefined): string =>
  [...orreryDirs, inherited].filter((dir): dir is string => Boolean(dir)).join(delimiter);
