import { describe, expect, it } from 'vitest';
import { makeAdminDeps } from '../../../src/composition/admin.ts';
import { makeCullerDeps } from '../../../src/composition/culler.ts';
import { makeNotebookDeps } from '../../../src/composition/notebooks.ts';
import { makeRunTaskDeps } from '../../../src/composition/run-tasks.ts';
import { makeRunRouteDeps } from '../../../src/composition/runs.ts';
import { makeServerTaskDeps } from '../../../src/composition/server-tasks.ts';
import { makeServerRouteDeps } from '../../../src/composition/servers.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { CLOUD_ENV, CLOUD_ENV_WITH_CURSORS } from '../../support/cloud-env.ts';

const WITHOUT_CURSORS = loadConfig(CLOUD_ENV);
const WITH_CURSORS = loadConfig(CLOUD_ENV_WITH_CURSORS);

const keysOf = (deps: object) => Object.keys(deps).sort();

describe('what each function is given', () => {
  it('gives the run workflow tasks no renderer, workflows or cursors: only records, files, time, ids and settings', () => {
    // Act
    const deps = makeRunTaskDeps(WITHOUT_CURSORS);

    // Assess
    expect(deps).not.toHaveProperty('renderer');
    expect(deps).not.toHaveProperty('workflows');
    expect(deps).not.toHaveProperty('cursors');
    expect(keysOf(deps)).toEqual([
      'bodies',
      'clock',
      'ids',
      'notebooks',
      'profiles',
      'runFiles',
      'runSettings',
      'runs',
    ]);
  });

  it('gives the launch-server tasks and the culler no workflows, the tasks no notifier, the culler notebooks to index', () => {
    // Act
    const tasks = makeServerTaskDeps(WITHOUT_CURSORS);
    const culler = makeCullerDeps(WITHOUT_CURSORS);

    // Assess
    expect(tasks).not.toHaveProperty('workflows');
    expect(culler).not.toHaveProperty('workflows');
    expect(keysOf(tasks)).toEqual(['clock', 'compute', 'cullPolicy', 'profiles', 'serverSettings', 'servers']);
    expect(keysOf(culler)).toEqual([
      'clock',
      'compute',
      'cullPolicy',
      'ids',
      'notebooks',
      'notifier',
      'profiles',
      'serverSettings',
      'servers',
      'spark',
      'sparkCompute',
      'sparkSessions',
    ]);
  });

  it('gives each API function only what its routes use: no body store for runs, no S3 for servers (a notifier for high-cost Spark notices), a listing cache for notebooks', () => {
    // Act
    const groups = {
      notebooks: makeNotebookDeps(WITH_CURSORS),
      runs: makeRunRouteDeps(WITH_CURSORS),
      servers: makeServerRouteDeps(WITH_CURSORS),
      admin: makeAdminDeps(WITH_CURSORS),
    };

    // Assess
    expect(keysOf(groups.notebooks)).toEqual([
      'bodies',
      'clock',
      'cursors',
      'ids',
      'limits',
      'listingCache',
      'notebooks',
      'renderCache',
      'renderer',
      'servers',
    ]);
    expect(keysOf(groups.runs)).toEqual([
      'clock',
      'cursors',
      'ids',
      'limits',
      'notebooks',
      'notificationLog',
      'profiles',
      'renderCache',
      'renderer',
      'roles',
      'runFiles',
      'runSettings',
      'runs',
      'schedules',
      'workflows',
    ]);
    expect(keysOf(groups.servers)).toEqual([
      'clock',
      'compute',
      'cullPolicy',
      'cursors',
      'ids',
      'notifier',
      'profiles',
      'roles',
      'serverSettings',
      'servers',
      'spark',
      'sparkCompute',
      'sparkSessions',
      'workflows',
    ]);
    expect(keysOf(groups.admin)).toEqual(['clock', 'cursors', 'profiles', 'runs', 'servers', 'sparkSessions']);
  });

  it('signs cursors where a list is served, and stops such a function at cold start without the secret, naming it', () => {
    // Prepare
    const listing = [makeNotebookDeps, makeRunRouteDeps, makeAdminDeps, makeServerRouteDeps];

    // Act
    const cursors = makeAdminDeps(WITH_CURSORS).cursors;
    const starts = listing.map((make) => () => make(WITHOUT_CURSORS));

    // Assess
    expect(cursors.decode('culls', cursors.encode('culls', 'position'))).toBe('position');
    for (const start of starts) expect(start).toThrow(/^configuration: set ORRERY_CURSOR_SECRET_ARN/);
  });
});
