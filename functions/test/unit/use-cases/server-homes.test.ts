import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, UpstreamError } from '../../../src/domain/errors.ts';
import { serverIdFor } from '../../../src/domain/server.ts';
import { cullIdle } from '../../../src/use-cases/cull-idle.ts';
import { deleteServer } from '../../../src/use-cases/delete-server.ts';
import { launchServer } from '../../../src/use-cases/launch-server.ts';
import { createServerResources } from '../../../src/use-cases/launch-steps.ts';
import { listUnusedVolumes } from '../../../src/use-cases/list-unused-volumes.ts';
import { stopServer } from '../../../src/use-cases/stop-server.ts';
import { memoryServerDeps, people } from '../../support/fakes.ts';
import { hours, runningServer } from '../../support/server-scenarios.ts';

const GiB = 1024 ** 3;
const DAY = hours(24);

describe('a server’s home across launches', () => {
  it('asks for the profile’s home on every launch; stopping keeps it', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { serverId } = await runningServer(deps, people.alice, 'lab');
    // Act
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    expect(deps.compute.created.map((c) => c.home)).toEqual([{ storageClass: 'orrery-gp3', size: 10 * GiB }]);
    expect([...deps.compute.homes.keys()]).toEqual([serverId]);
    expect(deps.compute.deletedHomes).toEqual([]);
  });

  it('tells the owner of a culled server where its files stay', async () => {
    // Prepare
    const deps = memoryServerDeps();
    await runningServer(deps, people.alice, 'lab');
    deps.clock.advance(hours(13));
    // Act
    await cullIdle(deps);
    deps.clock.advance(hours(1));
    await cullIdle(deps);
    // Assess
    const notice = deps.notifier.notices.find((n) => n.subject === "Server 'lab' was stopped");
    expect(notice?.text).toContain(`Your files stay in its volume ${serverIdFor('alice', 'lab')}-home`);
  });
});

describe('deleteServer', () => {
  it('deletes a stopped server’s home, then its record, so the name is free for a new server', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { serverId } = await runningServer(deps, people.alice, 'lab');
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const deleted = await deleteServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    expect(deleted).toMatchObject({ name: 'lab', owner: 'alice', status: 'STOPPED' });
    expect(deps.compute.deletedHomes).toEqual([serverId]);
    expect(await deps.servers.getServer(serverId)).toBeNull();
    await expect(launchServer(deps, { user: people.alice, name: 'lab' })).resolves.toBeDefined();
  });

  it('refuses a running server with a 409 that says to stop it first, and touches nothing', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { serverId } = await runningServer(deps, people.alice, 'lab');
    // Act
    const error = await deleteServer(deps, { user: people.alice, name: 'lab' }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(
      "server 'lab' is RUNNING; stop it first (DELETE /servers/lab), then delete it",
    );
    expect(deps.compute.deletedHomes).toEqual([]);
    expect((await deps.servers.getServer(serverId))?.status).toBe('RUNNING');
  });

  it('keeps the record when the home cannot be deleted, and a second try finishes the job', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { serverId } = await runningServer(deps, people.alice, 'lab');
    await stopServer(deps, { user: people.alice, name: 'lab' });
    deps.compute.deleteHomeError = new UpstreamError('Kubernetes API: delete PersistentVolumeClaim failed');
    // Act
    const first = await deleteServer(deps, { user: people.alice, name: 'lab' }).catch((e: unknown) => e);
    const kept = await deps.servers.getServer(serverId);
    deps.compute.deleteHomeError = undefined;
    await deleteServer(deps, { user: people.alice, name: 'lab' });
    // Assess
    expect(first).toBeInstanceOf(UpstreamError);
    expect(kept?.status).toBe('STOPPED');
    expect(await deps.servers.getServer(serverId)).toBeNull();
    expect(deps.compute.homes.size).toBe(0);
  });

  it('lets an admin delete another user’s failed server, and answers anyone else as if it did not exist', async () => {
    // Prepare
    const deps = memoryServerDeps();
    const { serverId } = await runningServer(deps, people.alice, 'lab');
    await stopServer(deps, { user: people.alice, name: 'lab' });
    // Act
    const stranger = await deleteServer(deps, { user: people.bob, name: 'lab', owner: 'alice' }).catch(
      (e: unknown) => e,
    );
    await deleteServer(deps, { user: people.root, name: 'lab', owner: 'alice' });
    // Assess
    expect(stranger).toBeInstanceOf(NotFoundError);
    expect(await deps.servers.getServer(serverId)).toBeNull();
  });
});

describe('listUnusedVolumes', () => {
  const stopped = async (deps: ReturnType<typeof memoryServerDeps>, name: string) => {
    await runningServer(deps, people.alice, name);
    await stopServer(deps, { user: people.alice, name });
  };

  it('lists the homes of servers unused past the threshold with size, monthly cost and last use, costliest first', async () => {
    // Prepare
    const deps = memoryServerDeps({ volumes: { unusedDays: 30, pricePerGiBMonth: 0.08 } });
    await stopped(deps, 'old');
    deps.clock.advance(35 * DAY);
    await stopped(deps, 'recent');
    const { serverId: runningId } = await runningServer(deps, people.bob, 'busy');
    deps.compute.homes.set('jupyter-orphan-00000000', {
      serverId: 'jupyter-orphan-00000000',
      owner: 'carol',
      name: 'gone',
      size: 50 * GiB,
      storageClass: 'orrery-gp3',
      location: 'jupyter-orphan-00000000-home',
    });
    deps.clock.advance(25 * DAY);
    // Act
    const listed = await listUnusedVolumes(deps, { user: people.root });
    // Assess
    expect(listed).toMatchObject({ unusedDays: 30, pricePerGiBMonth: 0.08, monthlyCost: 4.8 });
    expect(listed.items.map((i) => [i.owner, i.name, i.status, i.size, i.monthlyCost, i.unusedDays])).toEqual([
      ['carol', 'gone', null, '50 GiB', 4, null],
      ['alice', 'old', 'STOPPED', '10 GiB', 0.8, 60],
    ]);
    expect(listed.items.some((i) => i.serverId === runningId)).toBe(false);
    expect(deps.compute.deletedHomes).toEqual([]);
  });

  it('is for admins only', async () => {
    // Prepare
    const deps = memoryServerDeps();
    // Act
    const error = await listUnusedVolumes(deps, { user: people.alice }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
  });

  it('counts a launch that never ran as used when it was requested', async () => {
    // Prepare
    const deps = memoryServerDeps({ volumes: { unusedDays: 1, pricePerGiBMonth: 0.1 } });
    const { server } = await launchServer(deps, { user: people.alice, name: 'half' });
    await createServerResources(deps, { serverId: server.id, launchId: server.launchId });
    await stopServer(deps, { user: people.alice, name: 'half' });
    deps.clock.advance(2 * DAY);
    // Act
    const listed = await listUnusedVolumes(deps, { user: people.root });
    // Assess
    expect(listed.items.map((i) => [i.name, i.monthlyCost, i.unusedDays])).toEqual([['half', 1, 2]]);
  });
});
