import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { eventually, jupyterServerAvailable, waitForServer } from '../support/servers.ts';

/**
 * A client with no browser: connects to a kernel through its connection file, asks it to run
 * code, waits only until the kernel says it is busy with that request, and leaves.
 * Arguments: connection file, code, the kernel's Jupyter API URL, the server token.
 */
const FIRE_AND_FORGET = `
import json, queue, sys, time, urllib.request
from jupyter_client import BlockingKernelClient
connection_file, code, kernel_url, token = sys.argv[1:5]
def jupyter_state():
    request = urllib.request.Request(kernel_url + "?no_track_activity=1", headers={"Authorization": "token " + token})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["execution_state"]
kc = BlockingKernelClient(connection_file=connection_file)
kc.load_connection_file()
kc.start_channels(hb=False)
# IOPub subscribers join late, ours and Jupyter's own activity watcher alike: a busy message sent
# before Jupyter listens is lost, and Jupyter shows "starting" for the whole run. Ask for
# kernel_info until both have heard the kernel's status messages.
deadline = time.time() + 30
heard = False
while not heard or jupyter_state() == "starting":
    if time.time() > deadline:
        sys.exit("the kernel's IOPub never reached this client and Jupyter")
    kc.kernel_info()
    try:
        while True:
            kc.get_iopub_msg(timeout=0.3)
            heard = True
    except queue.Empty:
        pass
msg_id = kc.execute(code)
while True:
    msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
    if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
            and msg["content"]["execution_state"] == "busy"):
        break
kc.stop_channels()
`;

interface JupyterKernel {
  id: string;
  execution_state: string;
  connections: number;
  last_activity: string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestPlatform;
let server: { url: string; lastActivity: string };
let token: string;
const serverId = serverIdFor('alice', 'kernels');

// `no_track_activity` keeps the test's own looks at Jupyter from counting as the user's activity.
const jupyterKernels = async (): Promise<JupyterKernel[]> =>
  (
    await fetch(`${server.url}api/kernels?no_track_activity=1`, { headers: { authorization: `token ${token}` } })
  ).json() as Promise<JupyterKernel[]>;
const kernelState = async (id: string) => (await jupyterKernels()).find((k) => k.id === id)?.execution_state;
const startKernel = async (): Promise<JupyterKernel> => {
  const res = await fetch(`${server.url}api/kernels`, {
    method: 'POST',
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(201);
  return (await res.json()) as JupyterKernel;
};
const lastActivity = async () => Date.parse((await t.api('GET', '/servers/kernels', t.tokens.alice)).body.lastActivity);
const lastReportAt = async () => Date.parse((await t.platform.deps.servers.getServer(serverId))!.lastReportAt!);

describe.skipIf(!jupyterServerAvailable())('activity of a notebook server’s kernels', () => {
  beforeAll(async () => {
    t = await startTestPlatform(undefined, {
      ORRERY_ACTIVITY_INTERVAL: '0.5',
      ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
    });
    const launch = await t.api('POST', '/servers', t.tokens.alice, { name: 'kernels' });
    token = launch.body.token;
    server = await waitForServer(t, 'kernels', t.tokens.alice, ['RUNNING', 'FAILED']);
    if (!server.url) throw new Error(`the server did not start: ${JSON.stringify(server)}`);
  });
  afterAll(async () => {
    if (t) await t.api('DELETE', '/servers/kernels', t.tokens.alice);
    await t?.close();
  });

  it('counts creating a kernel nobody connects to once, and the kernel stuck in starting not at all after that', async () => {
    // Prepare
    const requestedAt = Date.now();
    const kernel = await startKernel();
    const answeredAt = Date.now();
    const bumped = await eventually(async () => {
      const at = await lastActivity();
      return at >= requestedAt ? at : null;
    }, 'the kernel request to show up as activity');
    // Act
    const readings = [bumped];
    let quietSince = Date.now();
    for (const cap = Date.now() + 10_000; Date.now() - quietSince < 3000 && Date.now() < cap; ) {
      await pause(250);
      readings.push(await lastActivity());
      if (readings.at(-1) !== readings.at(-2)) quietSince = Date.now();
    }
    const seen = (await jupyterKernels()).find((k) => k.id === kernel.id)!;
    const reportedAt = await lastReportAt();
    // Assess
    expect(kernel.execution_state).toBe('starting');
    expect(seen).toMatchObject({ execution_state: 'starting', connections: 0 });
    // Jupyter folds the kernel's one start-up message (its last_activity) into /api/status: it may count too, nothing
    // later may.
    const startedUp = Date.parse(seen.last_activity);
    const distinct = [...new Set(readings)];
    expect(distinct.filter((at) => at > answeredAt && at !== startedUp)).toEqual([]);
    expect(distinct.length).toBeLessThanOrEqual(2);
    expect(readings.at(-1)).toBe(Math.max(...distinct));
    expect(reportedAt).toBeGreaterThan(readings.at(-1)! + 2000);
  });

  it('takes a kernel busy with no browser as activity while it runs, and stops once it is idle', async () => {
    // Prepare
    const kernel = await startKernel();
    const connectionFile = join(t.home, 'servers', serverId, 'runtime', `kernel-${kernel.id}.json`);
    expect(existsSync(connectionFile)).toBe(true);
    const beforeRun = await lastActivity();
    // Act (the client runs asynchronously: the platform that answers the reporter lives in this process)
    await promisify(execFile)(
      '/usr/bin/python3',
      [
        '-c',
        FIRE_AND_FORGET,
        connectionFile,
        'import time; time.sleep(8)',
        `${server.url}api/kernels/${kernel.id}`,
        token,
      ],
      { timeout: 40_000 },
    );
    const busySeenAt = await eventually(
      async () => ((await kernelState(kernel.id)) === 'busy' ? Date.now() : null),
      'Jupyter to see the kernel busy',
      5000,
    );
    // Past the kernel's last message (its execute_input): from here on only the busy state can move activity.
    await eventually(async () => (await lastReportAt()) > busySeenAt + 300, 'a report of the busy kernel', 5000);
    const first = await lastActivity();
    await pause(1200);
    const second = await lastActivity();
    const busyAfterSecond = await kernelState(kernel.id);
    const idleSeenAt = await eventually(
      async () => ((await kernelState(kernel.id)) === 'idle' ? Date.now() : null),
      'the kernel to finish',
      20_000,
    );
    await eventually(async () => (await lastReportAt()) > idleSeenAt, 'a report after the kernel went idle', 5000);
    const settled = await lastActivity();
    await pause(2500);
    const later = await lastActivity();
    const laterReportAt = await lastReportAt();
    // Assess
    expect(first).toBeGreaterThan(beforeRun);
    expect(first).toBeGreaterThanOrEqual(busySeenAt);
    expect(busyAfterSecond).toBe('busy');
    expect(second).toBeGreaterThan(first);
    expect(later).toBe(settled);
    expect(laterReportAt).toBeGreaterThan(later + 2000);
  }, 60_000);
});
