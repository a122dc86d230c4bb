import { describe, expect, it } from 'vitest';
import { labServerArgs, labServerEnvironment, serverPythonPath } from '../../../src/adapters/local/local-lab.ts';
import { CPU_LAUNCH_SPEC } from '../../support/server-specs.ts';

describe('a local server’s JupyterLab', () => {
  it('loads orrery_lab and keeps JupyterLab’s settings and workspaces in the server’s folder, beside work/', () => {
    // Act
    const args = labServerArgs('/data/servers/jupyter-ada--default-1a2b3c4d');
    // Assess
    expect(args).toEqual([
      '--ServerApp.jpserver_extensions=orrery_lab=True',
      '--OrreryLabApp.user_settings_dir=/data/servers/jupyter-ada--default-1a2b3c4d/lab/user-settings',
      '--OrreryLabApp.workspaces_dir=/data/servers/jupyter-ada--default-1a2b3c4d/lab/workspaces',
    ]);
  });

  it('gives Jupyter (and so its kernels) the JupyterLab build, the API, the server’s name and the portal', () => {
    // Act
    const env = labServerEnvironment('/repo/lab', CPU_LAUNCH_SPEC);
    const bare = labServerEnvironment(undefined, CPU_LAUNCH_SPEC);
    // Assess
    expect(env).toEqual({
      ORRERY_LAB_STATIC_DIR: '/repo/lab/build',
      ORRERY_API_URL: 'https://api.orrery.test',
      ORRERY_SERVER_NAME: 'default',
      ORRERY_PORTAL_URL: 'https://orrery.test',
    });
    expect(bare).toEqual({
      ORRERY_API_URL: 'https://api.orrery.test',
      ORRERY_SERVER_NAME: 'default',
      ORRERY_PORTAL_URL: 'https://orrery.test',
    });
  });

  it('puts lab/ and the orrery package’s folder on PYTHONPATH before the developer’s own', () => {
    // Act
    const both = serverPythonPath(['/repo/lab', '/repo/images/notebook-server'], '/opt/spark/python:/opt/py4j.zip');
    const mine = serverPythonPath([undefined, '/repo/images/notebook-server'], undefined);
    const none = serverPythonPath([undefined, undefined], '');
    // Assess
    expect(both).toBe('/repo/lab:/repo/images/notebook-server:/opt/spark/python:/opt/py4j.zip');
    expect(mine).toBe('/repo/images/notebook-server');
    expect(none).toBe('');
  });
});
