import type { ActivityReport } from '../../src/domain/activity.ts';
import type { User } from '../../src/domain/user.ts';
import { launchServer } from '../../src/use-cases/launch-server.ts';
import { createServerResources, markServerRunning } from '../../src/use-cases/launch-steps.ts';
import { type memoryServerDeps, people } from './fakes.ts';

/** The server deps unit tests get from memoryServerDeps. */
export type ServerTestDeps = ReturnType<typeof memoryServerDeps>;

/** Milliseconds in n minutes. */
export const minutes = (n: number) => n * 60_000;
/** Milliseconds in n hours. */
export const hours = (n: number) => n * 3_600_000;
/** Where the fake clock starts. */
export const T0 = Date.parse('2026-01-05T09:00:00.000Z');
/** The instant ms after T0, as ISO text. */
export const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A report from a reporter whose Jupyter shows a busy kernel. */
export const busy: ActivityReport = { kernels: [{ executionState: 'busy', connections: 1 }], jupyterReachable: true };
/** A report that shows nothing new: it only proves the server is alive. */
export const heartbeat: ActivityReport = {
  kernels: [{ executionState: 'idle', lastActivity: at(0) }],
  jupyterReachable: true,
};

/** Launches a server (cpu-small: idle 60 min, max age 12 h) through its launch steps; returns its launch and token. */
export const runningServer = async (
  deps: ServerTestDeps,
  user: User = people.alice,
  name = 'lab',
  profile?: string,
) => {
  const { server, token } = await launchServer(deps, { user, name, ...(profile ? { profile } : {}) });
  const ref = { serverId: server.id, launchId: server.launchId };
  await createServerResources(deps, ref);
  await markServerRunning(deps, { ...ref, url: `http://${server.id}.orrery.svc:8888/user/${user.id}/${name}/` });
  return { ...ref, token, name };
};

/** A running server of the `pyspark` profile, the one that offers Spark sessions. */
export const sparkServer = (deps: ServerTestDeps, user: User = people.alice, name = 'lab') =>
  runningServer(deps, user, name, 'pyspark');
