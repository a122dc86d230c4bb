import { join } from 'node:path';
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
 * where the extension and the build are, and what the Orrery handlers call — the API, this server's name (its token
 * is JUPYTER_TOKEN) and the portal, for links.
 */
export const labServerEnvironment = (
  labDir: string | undefined,
  spec: Pick<ServerLaunchSpec, 'apiUrl' | 'name' | 'portalUrl'>,
): Record<string, string> => ({
  ...(labDir ? { PYTHONPATH: labDir, ORRERY_LAB_STATIC_DIR: join(labDir, 'build') } : {}),
  ORRERY_API_URL: spec.apiUrl,
  ORRERY_SERVER_NAME: spec.name,
  ORRERY_PORTAL_URL: spec.portalUrl,
});
