import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../../src/adapters/memory/memory-run-store.ts';
import { ForbiddenError } from '../../../src/domain/errors.ts';
import type { Run, RunStatus } from '../../../src/domain/run.ts';
import { adminUsage } from '../../../src/use-cases/admin-usage.ts';
import { launchServer } from '../../../src/use-cases/launch-server.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { sampleRun } from '../../contract/run-store.case.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { at, hours, minutes, runningServer } from '../../support/server-scenarios.ts';

const usageDeps = () => ({ ...memoryServerDeps(), runs: new MemoryRunStore() });

// Only what the count reads matters: status and creation time.
const run = (status: RunStatus, createdAt: string): Run => sampleRun({ status, createdAt, updatedAt: createdAt });

describe('adminUsage', () => {
  it('refuses anyone but an admin, as the cull log does', async () => {
    // Prepare
    const deps = usageDeps();
    // Act
    const err = await adminUsage(deps, { user: people.alice }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
  });

  it('groups launching, running and stopping servers by pool with their hourly cost, and leaves ended ones out', async () => {
    // Prepare: two running cpu-small (0.05), one launching gpu-t4 (0.53), one stopping spot (0.07), one stopped.
    const deps = usageDeps();
    await runningServer(deps, people.alice, 'a');
    await runningServer(deps, people.bob, 'b');
    await launchServer(deps, { user: people.amir, name: 'gpu', profile: 'gpu-t4' });
    const { server: spot } = await launchServer(deps, { user: people.bob, name: 'spot', profile: 'cpu-large-spot' });
    await deps.servers.moveServer(spot.id, ['PENDING'], {
      status: 'STOPPING',
      cullCheckAt: at(minutes(5)),
      updatedAt: at(0),
    });
    await runningServer(deps, people.alice, 'gone');
    await stopServer(deps, { user: people.alice, name: 'gone' });
    // Act
    const usage = await adminUsage(deps, { user: people.root });
    // Assess
    expect(usage.pools).toEqual([
      { pool: 'cpu-on-demand', activeServers: 2, hourlyCost: 0.1 },
      { pool: 'cpu-spot', activeServers: 1, hourlyCost: 0.07 },
      { pool: 'gpu', activeServers: 1, hourlyCost: 0.53 },
    ]);
    expect(usage.hourlyCost).toBe(0.7);
    expect(usage.activeServers.map((s) => [s.owner, s.name, s.status]).sort()).toEqual([
      ['alice', 'a', 'RUNNING'],
      ['amir', 'gpu', 'PENDING'],
      ['bob', 'b', 'RUNNING'],
      ['bob', 'spot', 'STOPPING'],
    ]);
    expect(usage.activeServers[0]).not.toHaveProperty('tokenHash');
  });

  it('lists every pool of the registry, idle ones at zero, and a server whose profile left it under unknown', async () => {
    // Prepare
    const deps = usageDeps();
    const { serverId } = await runningServer(deps, people.alice, 'old');
    await deps.servers.moveServer(serverId, ['RUNNING'], {
      profile: 'retired-profile',
      hourlyPrice: 1.25,
      updatedAt: at(0),
    });
    // Act
    const usage = await adminUsage(deps, { user: people.root });
    // Assess
    expect(usage.pools).toEqual([
      { pool: 'cpu-on-demand', activeServers: 0, hourlyCost: 0 },
      { pool: 'cpu-spot', activeServers: 0, hourlyCost: 0 },
      { pool: 'gpu', activeServers: 0, hourlyCost: 0 },
      { pool: 'unknown', activeServers: 1, hourlyCost: 1.25 },
    ]);
  });

  it('counts runs created in the 24 hours before the clock’s now, by status, every status present', async () => {
    // Prepare: the clock is two days on; runs from just outside to just inside the window.
    const deps = usageDeps();
    deps.clock.advance(hours(48));
    const now = deps.clock.now().getTime();
    const ago = (ms: number) => new Date(now - ms).toISOString();
    const seeded = [
      run('COMPLETED', ago(hours(24) + 1)),
      run('COMPLETED', ago(hours(24))),
      run('COMPLETED', ago(hours(1))),
      run('FAILED', ago(minutes(5))),
      run('IN_PROGRESS', ago(1)),
      run('FAILED', ago(hours(30))),
    ];
    for (const r of seeded) await deps.runs.createRun(r);
    // Act
    const usage = await adminUsage(deps, { user: people.root });
    // Assess
    expect(usage.generatedAt).toBe(new Date(now).toISOString());
    expect(usage.runs).toEqual({
      since: ago(hours(24)),
      byStatus: { CREATED: 0, QUEUED: 0, IN_PROGRESS: 1, COMPLETED: 2, FAILED: 1, STOPPING: 0, STOPPED: 0 },
    });
  });
});
