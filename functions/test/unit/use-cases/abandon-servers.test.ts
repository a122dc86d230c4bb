import { describe, expect, it } from 'vitest';
import { abandonRunningServers } from '../../../src/use-cases/abandon-servers.ts';
import { launchServer } from '../../../src/use-cases/launch-server.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { runningServer } from '../../support/server-scenarios.ts';

describe('abandonRunningServers (local mode at start-up)', () => {
  it('ends every server the last life of the platform left launching, running or stopping, and frees their slots', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { server: pending } = await launchServer(deps, { user: people.alice, name: 'launching' });
    const running = await runningServer(deps, people.alice, 'running');
    const stopping = await runningServer(deps, people.amir, 'stopping');
    await deps.servers.moveServer(stopping.serverId, ['RUNNING'], {
      status: 'STOPPING',
      cullCheckAt: '2026-01-05T09:05:00.000Z',
      updatedAt: '2026-01-05T09:00:00.000Z',
    });
    const stopped = await runningServer(deps, people.bob, 'stopped');
    await stopServer(deps, { user: people.bob, name: 'stopped' });
    // Act
    const ended = await abandonRunningServers(deps, 'the local platform stopped while this server was up');
    // Assess
    expect(ended).toBe(3);
    for (const id of [pending.id, running.serverId, stopping.serverId]) {
      expect(await deps.servers.getServer(id)).toMatchObject({
        status: 'STOPPED',
        reason: 'the local platform stopped while this server was up',
        stoppedBy: 'platform',
      });
    }
    expect((await deps.servers.getServer(stopped.serverId))!.reason).toBe('stopped by owner');
    expect(await deps.servers.listSlots('alice')).toEqual([]);
    expect(await deps.servers.listCullCandidates('9999-12-31T23:59:59.999Z', { limit: 10 })).toMatchObject({
      items: [],
    });
  });
});
