import type { ServerLaunchSpec } from '../../src/ports/server-compute.ts';

/** Bytes in a GiB. */
export const GiB = 1024 ** 3;

/** One CPU server's launch spec, as the launch workflow hands it to compute. */
export const CPU_LAUNCH_SPEC: ServerLaunchSpec = {
  serverId: 'jupyter-ada-example-com--default-1a2b3c4d',
  owner: 'ada@example.com',
  name: 'default',
  launchId: 'ln-0000000000000001',
  profile: 'cpu-small',
  resources: {
    image: 'orrery/notebook:2026.1',
    cpuRequest: 500,
    cpuLimit: 2000,
    memoryRequest: 2 * GiB,
    memoryLimit: 4 * GiB,
    gpus: 0,
  },
  pool: { kind: 'cpu-on-demand', nodeSelector: { 'orrery.dev/pool': 'cpu' }, tolerations: [] },
  basePath: '/user/ada@example.com/default/',
  activityUrl: 'https://api.orrery.test/servers/default/activity',
  apiUrl: 'https://api.orrery.test',
  home: { storageClass: 'orrery-gp3', size: 10 * GiB },
  portalUrl: 'https://orrery.test',
};
