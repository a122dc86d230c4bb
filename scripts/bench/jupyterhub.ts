// The peer bench:api compares with: Debian's JupyterHub (3.0) in a throwaway folder, its users made through its
// REST API with a service token, its hub API served on its own port (the proxy is started, as the hub insists,
// but not in the path). The dummy authenticator: the default (PAM) refuses users the system lacks.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running hub: where its API is, the token that may list and create users, and how to stop it. */
export interface RunningHub {
  api: string;
  token: string;
  close(): Promise<void>;
}

/** Whether Debian's JupyterHub is installed here. */
export const hubInstalled = (): boolean => spawnSync('jupyterhub', ['--version']).status === 0;

const config = (dir: string, port: number, hubPort: number, proxyPort: number, token: string) => `
c.JupyterHub.bind_url = 'http://127.0.0.1:${port}'
c.JupyterHub.hub_bind_url = 'http://127.0.0.1:${hubPort}'
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${proxyPort}'
c.JupyterHub.db_url = 'sqlite:///${dir}/jupyterhub.sqlite'
c.JupyterHub.cookie_secret_file = '${dir}/cookie_secret'
c.ConfigurableHTTPProxy.pid_file = '${dir}/proxy.pid'
c.JupyterHub.log_level = 'WARN'
c.JupyterHub.authenticator_class = 'dummy'
c.JupyterHub.services = [{'name': 'bench', 'api_token': '${token}'}]
c.JupyterHub.load_roles = [{'name': 'bench', 'scopes': ['admin:users'], 'services': ['bench']}]
`;

/** Starts a hub and makes `users` users through its REST API, in batches. */
export const startHub = async (ports: [number, number, number], users: number): Promise<RunningHub> => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-bench-hub-'));
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'jupyterhub_config.py'), config(dir, ...ports, token));
  // Debian's configurable-http-proxy finds its modules on Debian's Node path, which another Node does not search.
  const env = { ...process.env, NODE_PATH: '/usr/share/nodejs' };
  const hub = spawn('jupyterhub', ['-f', join(dir, 'jupyterhub_config.py')], { cwd: dir, env, stdio: 'ignore' });
  const exited = new Promise((r) => hub.once('exit', r));
  const api = `http://127.0.0.1:${ports[1]}/hub/api`;
  const headers = { authorization: `token ${token}`, 'content-type': 'application/json' };
  const close = async () => {
    hub.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i += 1) {
      const up = await fetch(`${api}/`, { headers }).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 150 || hub.exitCode !== null) throw new Error('JupyterHub did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    for (let i = 0; i < users; i += 500) {
      const usernames = Array.from({ length: Math.min(500, users - i) }, (_, j) => `user-${i + j}`);
      const res = await fetch(`${api}/users`, { method: 'POST', headers, body: JSON.stringify({ usernames }) });
      if (res.status !== 201) throw new Error(`JupyterHub refused the users: ${res.status} ${await res.text()}`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { api, token, close };
};
