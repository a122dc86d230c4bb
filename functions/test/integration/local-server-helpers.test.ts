import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalServerCompute } from '../../src/adapters/local/local-server-compute.ts';
import { CPU_LAUNCH_SPEC } from '../support/server-specs.ts';
import { eventually, jupyterServerAvailable } from '../support/servers.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A local compute whose sidecar comes from `sidecarDir`; what it reports as ended is kept. */
const computeWith = (sidecarDir: string) => {
  const exits: Array<{ serverId: string; reason: string }> = [];
  const compute = new LocalServerCompute({
    python: '/usr/bin/python3',
    serversDir: join(mkdtempSync(join(tmpdir(), 'orrery-local-servers-')), 'servers'),
    reporterScript: join(ROOT, 'images', 'notebook-server', 'activity_reporter.py'),
    credentialsSidecarDir: sidecarDir,
    activityIntervalSeconds: 300,
    lookWaitMs: 250,
    onExit: (serverId, _launchId, reason) => exits.push({ serverId, reason }),
  });
  return { compute, exits };
};

describe.skipIf(!jupyterServerAvailable())('a local server’s helpers', () => {
  let compute: LocalServerCompute | undefined;
  afterEach(async () => {
    await compute?.remove(CPU_LAUNCH_SPEC.serverId);
  });

  it('ends a server whose credentials sidecar cannot start, with the sidecar’s reason', async () => {
    // Prepare: no orrery_runner where the sidecar is started from
    const made = computeWith(mkdtempSync(join(tmpdir(), 'orrery-no-runner-')));
    compute = made.compute;
    await compute.putToken(CPU_LAUNCH_SPEC.serverId, 'jupyter-token', 'credentials-token');
    // Act
    await compute.create({ ...CPU_LAUNCH_SPEC, apiUrl: 'http://127.0.0.1:9/api' });
    const ended = await eventually(async () => made.exits[0], 'the server ended', 30_000);
    const seen = await compute.observe(CPU_LAUNCH_SPEC.serverId);
    // Assess
    expect(ended.serverId).toBe(CPU_LAUNCH_SPEC.serverId);
    expect(ended.reason).toMatch(/^the credentials sidecar exited with code 1: .*No module named/);
    expect(seen).toEqual({ state: 'failed', reason: ended.reason });
  }, 60_000);

  it('says a starting server is ready as soon as Jupyter answers, within one look', async () => {
    // Prepare
    const made = computeWith(join(ROOT, 'images', 'notebook-runner'));
    compute = made.compute;
    await compute.putToken(CPU_LAUNCH_SPEC.serverId, 'jupyter-token', 'credentials-token');
    await compute.create({ ...CPU_LAUNCH_SPEC, apiUrl: 'http://127.0.0.1:9/api' });
    // Act: looks of 250 ms each until it is ready
    const looks: string[] = [];
    for (let i = 0; i < 120 && looks.at(-1) !== 'ready'; i++)
      looks.push((await compute.observe(CPU_LAUNCH_SPEC.serverId)).state);
    // Assess
    expect(looks.at(-1)).toBe('ready');
    expect(new Set(looks.slice(0, -1))).toEqual(new Set(looks.length > 1 ? ['waiting'] : []));
    expect(made.exits).toEqual([]);
  }, 60_000);
});
