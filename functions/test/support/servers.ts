import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestPlatform } from './platform.ts';

const PYTHON = '/usr/bin/python3';

/** Whether Debian's jupyter_server is here; with CI=true its absence is a failure, not a skip. */
export const jupyterServerAvailable = (): boolean => {
  const ok =
    existsSync(PYTHON) &&
    (() => {
      try {
        execSync(`${PYTHON} -c 'import jupyter_server, ipykernel'`, { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  if (!ok && process.env.CI === 'true')
    throw new Error('jupyter_server is missing and CI=true: apt-get install jupyter-server python3-ipykernel');
  return ok;
};

/** Polls a server until it reaches one of the statuses. */
export const waitForServer = async (
  t: TestPlatform,
  name: string,
  token: string,
  statuses: string[],
  timeoutMs = 60_000,
  owner?: string,
) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.api('GET', `/servers/${name}${owner ? `?owner=${owner}` : ''}`, token);
    if (statuses.includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`server ${name} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Waits until a condition holds. */
export const eventually = async <T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** The pids of every process a local server started (Jupyter, its kernels, its reporter). */
export const serverProcesses = (home: string, serverId?: string): number[] =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
        return (
          env.includes(`ORRERY_SERVERS_DIR=${join(home, 'servers')}`) &&
          (!serverId || env.includes(`ORRERY_SERVER_ID=${serverId}\0`))
        );
      } catch {
        return false;
      }
    })
    .map(Number);

/** Reads one answer of the progress stream as events. */
export const readProgress = async (t: TestPlatform, name: string, token: string, lastEventId?: number) => {
  const res = await fetch(`${t.platform.apiUrl}/servers/${name}/progress`, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}),
    },
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter((b) => b.includes('data: '))
    .map(
      (b) =>
        JSON.parse(b.slice(b.indexOf('data: ') + 6)) as {
          id: number;
          progress: number;
          message: string;
          ready?: boolean;
          failed?: boolean;
          url?: string;
        },
    );
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    retry: /retry: (\d+)/.exec(text)?.[1],
    events,
  };
};
