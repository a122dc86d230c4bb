import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import {
  eventually,
  jupyterServerAvailable,
  readProgress,
  serverProcesses,
  waitForServer,
} from '../support/servers.ts';

/**
 * Stands in for ORRERY_PYTHON. Jupyter misbehaves by the server's name (the last part of its
 * base URL, /user/<owner>/<name>/): a name with `hang` never answers, one with `crash` exits 3
 * with a line on stderr. Anything else, the activity reporter included, is the real Python.
 */
const FAULTY_PYTHON = `#!/bin/sh
jupyter=no
base=
for arg in "$@"; do
  case "$arg" in
    jupyter_server) jupyter=yes ;;
    --ServerApp.base_url=*) base="\${arg#--ServerApp.base_url=}" ;;
  esac
done
name=$(basename "$base")
if [ "$jupyter" = yes ]; then
  case "$name" in
    *hang*) exec sleep infinity ;;
    *crash*) echo "fake jupyter: cannot bind the moon" >&2; exit 3 ;;
  esac
fi
exec /usr/bin/python3 "$@"
`;

const CRASH_LINE = 'fake jupyter: cannot bind the moon';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');
  } catch {
    return '';
  }
};

let t: TestPlatform;

describe.skipIf(!jupyterServerAvailable())('notebook servers whose Jupyter hangs or crashes', () => {
  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'orrery-faults-'));
    const python = join(home, 'faulty-python.sh');
    writeFileSync(python, FAULTY_PYTHON);
    chmodSync(python, 0o755);
    t = await startTestPlatform(home, {
      ORRERY_PYTHON: python,
      ORRERY_LAUNCH_TIMEOUT_SECONDS: '5',
      ORRERY_SERVER_LIMIT: '1',
      ORRERY_ACTIVITY_INTERVAL: '0.5',
      ORRERY_PROGRESS_WAIT_MS: '1000',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('fails a server whose Jupyter never answers, ends its progress, kills its processes and gives the slot back', async () => {
    // Prepare
    const id = serverIdFor('alice', 'hang');
    const launch = await t.api('POST', '/servers', t.tokens.alice, { name: 'hang' });
    expect(launch.status).toBe(202);
    await eventually(
      async () => serverProcesses(t.home, id).some((pid) => cmdline(pid).startsWith('sleep infinity')),
      'the hanging Jupyter to start',
    );
    // Act
    const failed = await waitForServer(t, 'hang', t.tokens.alice, ['FAILED', 'RUNNING', 'STOPPED'], 30_000);
    const progress = await readProgress(t, 'hang', t.tokens.alice);
    const leftovers = serverProcesses(t.home, id);
    const next = await t.api('POST', '/servers', t.tokens.alice, { name: 'successor' });
    // Assess
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toContain('did not answer within 5 s');
    expect(progress.events.at(-1)).toMatchObject({ progress: 100, failed: true });
    expect(progress.events.at(-1)!.message).toContain('did not answer within 5 s');
    expect(progress.events.filter((e) => e.failed)).toHaveLength(1);
    expect(leftovers).toEqual([]);
    expect(next.status, next.text).toBe(202);
    const after = await waitForServer(t, 'successor', t.tokens.alice, ['RUNNING', 'FAILED'], 60_000);
    expect(after.status, after.reason).toBe('RUNNING');
    expect((await t.api('DELETE', '/servers/successor', t.tokens.alice)).body.status).toBe('STOPPED');
  }, 90_000);

  it('fails a server whose Jupyter exits at start with the exit code and its last stderr line', async () => {
    // Prepare
    const id = serverIdFor('bob', 'crash');
    // Act
    const launch = await t.api('POST', '/servers', t.tokens.bob, { name: 'crash' });
    const failed = await waitForServer(t, 'crash', t.tokens.bob, ['FAILED', 'RUNNING', 'STOPPED'], 30_000);
    const progress = await readProgress(t, 'crash', t.tokens.bob);
    // Assess
    expect(launch.status).toBe(202);
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toContain('exited with code 3');
    expect(failed.reason).toContain(CRASH_LINE);
    expect(progress.events.at(-1)).toMatchObject({ progress: 100, failed: true });
    expect(progress.events.at(-1)!.message).toContain(CRASH_LINE);
    await eventually(async () => serverProcesses(t.home, id).length === 0, 'the reporter of the crashed server to go');
    expect((await t.api('POST', '/servers', t.tokens.bob, { name: 'successor' })).status).toBe(202);
    expect((await t.api('DELETE', '/servers/successor', t.tokens.bob)).body.status).toBe('STOPPED');
  }, 60_000);

  it('stops a launching server whose Jupyter is up but not answering: STOPPED, its processes gone, and the launch does not overrule it', async () => {
    // Prepare
    const id = serverIdFor('amir', 'hang-late');
    await t.api('POST', '/servers', t.tokens.amir, { name: 'hang-late' });
    await eventually(
      async () => serverProcesses(t.home, id).some((pid) => cmdline(pid).startsWith('sleep infinity')),
      'the hanging Jupyter to start',
    );
    const pending = (await t.api('GET', '/servers/hang-late', t.tokens.amir)).body;
    // Act
    const stopped = await t.api('DELETE', '/servers/hang-late', t.tokens.amir);
    const leftovers = serverProcesses(t.home, id);
    await t.platform.workflows.idle();
    // Past the launch timeout, when a launch still polling would record FAILED.
    await pause(Math.max(2000, Date.parse(pending.createdAt) + 6000 - Date.now()));
    const later = (await t.api('GET', '/servers/hang-late', t.tokens.amir)).body;
    const progress = await readProgress(t, 'hang-late', t.tokens.amir);
    // Assess
    expect(pending.status).toBe('PENDING');
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'STOPPED', stoppedBy: 'owner' });
    expect(leftovers).toEqual([]);
    expect(later).toMatchObject({
      status: 'STOPPED',
      stoppedBy: 'owner',
      reason: 'stopped by owner',
      url: null,
      startedAt: null,
    });
    expect(serverProcesses(t.home, id)).toEqual([]);
    expect(progress.events.at(-1)).toMatchObject({ failed: true, message: 'Server stopped: stopped by owner' });
  }, 60_000);

  it('stops a server right after its launch request, and no process of it turns up afterwards', async () => {
    // Prepare
    const id = serverIdFor('amir', 'hang-early');
    const launch = await t.api('POST', '/servers', t.tokens.amir, { name: 'hang-early' });
    // Act
    const stopped = await t.api('DELETE', '/servers/hang-early', t.tokens.amir);
    await t.platform.workflows.idle();
    await pause(2000);
    const later = (await t.api('GET', '/servers/hang-early', t.tokens.amir)).body;
    const next = await t.api('POST', '/servers', t.tokens.amir, { name: 'after-stop' });
    // Assess
    expect(launch.status).toBe(202);
    expect(stopped.body).toMatchObject({ status: 'STOPPED', stoppedBy: 'owner' });
    expect(later).toMatchObject({ status: 'STOPPED', stoppedBy: 'owner', startedAt: null });
    expect(serverProcesses(t.home, id)).toEqual([]);
    expect(next.status, next.text).toBe(202);
    await t.api('DELETE', '/servers/after-stop', t.tokens.amir);
  }, 60_000);
});
