import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryCredentialLog } from '../../../src/adapters/memory/memory-credential-log.ts';
import {
  ConflictError,
  ForbiddenError,
  RunnerUnavailableError,
  UnauthorizedError,
} from '../../../src/domain/errors.ts';
import type { Role } from '../../../src/domain/role.ts';
import { makeRunTasks } from '../../../src/handlers/tasks/run-tasks.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { finalizeRun } from '../../../src/use-cases/finalize-run.ts';
import { getRun } from '../../../src/use-cases/get-run.ts';
import { issueCredentials } from '../../../src/use-cases/issue-credentials.ts';
import { issueRunCredentials } from '../../../src/use-cases/issue-run-credentials.ts';
import { markRunStarted, prepareRun } from '../../../src/use-cases/prepare-run.ts';
import { rerunRun } from '../../../src/use-cases/rerun-run.ts';
import { startRun } from '../../../src/use-cases/start-run.ts';
import { FakeCredentialBroker } from '../../support/fake-credential-broker.ts';
import { memoryRunDeps, people, testRole } from '../../support/fakes.ts';
import { fixture } from '../../support/notebooks.ts';

const role = (name: string, over: Partial<Role> = {}): Role => testRole(name, { maxSessionSeconds: 7200, ...over });

const ROLES = [role('ads-analyst', { teams: ['ads'] }), role('risk-prod', { teams: ['risk'] })];

// Run deps with a role registry, a broker and an audit log: what starting, preparing and serving a run's keys use.
const deps = () => {
  const base = memoryRunDeps();
  return {
    ...base,
    roles: ROLES.map((r) => ({ ...r, teams: [...r.teams] })),
    broker: new FakeCredentialBroker(base.clock),
    credentialLog: new MemoryCredentialLog(),
  };
};
type Deps = ReturnType<typeof deps>;

const notebookOf = async (d: Deps, visibility: 'private' | 'org' = 'private') =>
  (
    await createNotebook(d, {
      user: people.alice,
      title: 'Sales',
      visibility,
      content: fixture('parameters-basic.ipynb'),
    })
  ).notebook.id;

// A run of Alice's with a role, prepared (its token minted) and started, as the runner finds it.
const preparedRun = async (d: Deps, withRole: string | null = 'ads-analyst') => {
  const run = await startRun(d, { user: people.alice, notebookId: await notebookOf(d), role: withRole });
  const { runToken } = await prepareRun(d, { runId: run.id });
  await markRunStarted(d, { runId: run.id });
  return { run, runToken };
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('starting a run with a role', () => {
  it('records the role and the team its sessions are tagged with, and shows the role but not the team', async () => {
    // Prepare
    const d = deps();
    const notebookId = await notebookOf(d);
    // Act
    const run = await startRun(d, { user: people.alice, notebookId, role: 'ads-analyst' });
    const shown = await getRun(d, { user: people.alice, runId: run.id });
    // Assess
    expect(run).toMatchObject({ role: 'ads-analyst', roleTeam: 'ads', runTokenHash: null });
    expect(shown.role).toBe('ads-analyst');
    expect(shown).not.toHaveProperty('roleTeam');
    expect(shown).not.toHaveProperty('runTokenHash');
  });

  it('refuses a role the starter does not hold, or that does not exist, with the 403 of POST /credentials', async () => {
    // Prepare
    const d = deps();
    const notebookId = await notebookOf(d);
    const asCredentials = await issueCredentials(d, { user: people.alice, role: 'risk-prod' }).catch((e) => e);
    // Act
    const notHeld = await startRun(d, { user: people.alice, notebookId, role: 'risk-prod' }).catch((e) => e);
    const unknown = await startRun(d, { user: people.alice, notebookId, role: 'nope' }).catch((e) => e);
    // Assess
    expect(notHeld).toBeInstanceOf(ForbiddenError);
    expect(notHeld.message).toBe(asCredentials.message);
    expect(unknown).toBeInstanceOf(ForbiddenError);
    expect(unknown.message).toBe(notHeld.message.replace('risk-prod', 'nope'));
    expect(d.workflows.started).toEqual([]);
  });

  it('starts a run without a role as before: no role, no team', async () => {
    // Prepare
    const d = deps();
    // Act
    const run = await startRun(d, { user: people.alice, notebookId: await notebookOf(d) });
    // Assess
    expect(run).toMatchObject({ role: null, roleTeam: null });
  });

  it('keeps the role on a rerun, checked against whoever reruns it, and lets a rerun change or clear it', async () => {
    // Prepare
    const d = deps();
    d.roles.push(role('everyone', { teams: ['*'] }));
    const first = await startRun(d, {
      user: people.alice,
      notebookId: await notebookOf(d, 'org'),
      role: 'ads-analyst',
    });
    // Act
    const again = await rerunRun(d, { user: people.alice, runId: first.id });
    const changed = await rerunRun(d, { user: people.alice, runId: first.id, role: 'everyone' });
    const cleared = await rerunRun(d, { user: people.alice, runId: first.id, role: null });
    const byAdmin = await rerunRun(d, { user: people.root, runId: first.id }).catch((e) => e);
    // Assess
    expect(again).toMatchObject({ rerunOf: first.id, role: 'ads-analyst' });
    expect(changed.role).toBe('everyone');
    expect(cleared.role).toBeNull();
    expect(byAdmin).toBeInstanceOf(ForbiddenError);
  });
});

describe('the run token', () => {
  it('is minted when the run is prepared, kept only as its sha256, and handed to the runner Job with the role', async () => {
    // Prepare
    const d = { ...deps(), runSettings: { ...memoryRunDeps().runSettings, apiUrl: 'https://api.example.com/api/' } };
    const run = await startRun(d, { user: people.alice, notebookId: await notebookOf(d), role: 'ads-analyst' });
    // Act
    const { job, ...prepared } = await makeRunTasks(d).prepare({ runId: run.id });
    const stored = await d.runs.getRun(run.id);
    // Assess
    const env = Object.fromEntries(job.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    const token = env.ORRERY_RUN_TOKEN!;
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(stored?.runTokenHash).toBe(sha256(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(JSON.stringify(prepared)).not.toContain(token);
    expect(env).toMatchObject({
      ORRERY_RUN_ROLE: 'ads-analyst',
      ORRERY_API_URL: 'https://api.example.com/api',
      ORRERY_RUN_ID: run.id,
    });
  });

  it('gives a runner without a role no token and no credential variables', async () => {
    // Prepare
    const d = deps();
    const run = await startRun(d, { user: people.alice, notebookId: await notebookOf(d) });
    // Act
    const { job } = await makeRunTasks(d).prepare({ runId: run.id });
    // Assess
    const names = job.spec.template.spec.containers[0]!.env.map((e) => e.name);
    expect(names).toEqual(['ORRERY_INPUT_URL', 'ORRERY_OUTPUT_URL']);
  });

  it('fails the preparation of a run with a role when the runner could not reach the API for its keys', async () => {
    // Prepare: no ORRERY_PUBLIC_API_URL.
    const d = deps();
    const run = await startRun(d, { user: people.alice, notebookId: await notebookOf(d), role: 'ads-analyst' });
    // Act
    const err = await makeRunTasks(d)
      .prepare({ runId: run.id })
      .catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(RunnerUnavailableError);
    expect(err.message).toContain('ORRERY_PUBLIC_API_URL');
  });
});

describe('issueRunCredentials', () => {
  it("gives the run's role to the runner with the run token, as the owner, tagged and audited as the run's", async () => {
    // Prepare
    const d = deps();
    const { run, runToken } = await preparedRun(d);
    // Act
    const keys = await issueRunCredentials(d, { runId: run.id, token: runToken });
    // Assess
    expect(keys).toMatchObject({ role: 'ads-analyst', account: 'ads-dev', sourceIdentity: 'alice' });
    expect(d.broker.requests).toEqual([
      {
        roleArn: 'arn:aws:iam::123456789012:role/ads-analyst',
        sessionName: 'orrery-alice',
        sourceIdentity: 'alice',
        tags: { 'orrery:user': 'alice', 'orrery:team': 'ads', 'orrery:purpose': 'run', 'orrery:run': run.id },
        durationSeconds: 3600,
      },
    ]);
    const log = await d.credentialLog.listAll({ limit: 10 });
    expect(log.items).toMatchObject([
      { user: 'alice', team: 'ads', role: 'ads-analyst', purpose: 'run', runId: run.id, serverId: null },
    ]);
  });

  it('refuses a wrong token and an unknown run alike (403), and asks for a token when none is sent (401)', async () => {
    // Prepare
    const d = deps();
    const { run, runToken } = await preparedRun(d);
    // Act
    const wrong = await issueRunCredentials(d, { runId: run.id, token: `${runToken}x` }).catch((e) => e);
    const unknown = await issueRunCredentials(d, { runId: 'run-00000000000000ff', token: runToken }).catch((e) => e);
    const none = await issueRunCredentials(d, { runId: run.id, token: undefined }).catch((e) => e);
    // Assess
    expect(wrong).toBeInstanceOf(ForbiddenError);
    expect(unknown).toBeInstanceOf(ForbiddenError);
    expect(unknown.message).toBe(wrong.message);
    expect(none).toBeInstanceOf(UnauthorizedError);
    expect(d.broker.requests).toEqual([]);
  });

  it('refuses the token of a run that has ended (403), so the runner stops serving keys', async () => {
    // Prepare
    const d = deps();
    const { run, runToken } = await preparedRun(d);
    await issueRunCredentials(d, { runId: run.id, token: runToken });
    await finalizeRun(d, {
      runId: run.id,
      failure: { Error: 'RunnerFailedError', Cause: 'the notebook did not complete' },
    });
    // Act
    const err = await issueRunCredentials(d, { runId: run.id, token: runToken }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.message).toContain('has ended');
    expect(d.broker.requests).toHaveLength(1);
  });

  it('answers 409 for a run started without a role, even with its own token', async () => {
    // Prepare
    const d = deps();
    const { run, runToken } = await preparedRun(d, null);
    // Act
    const err = await issueRunCredentials(d, { runId: run.id, token: runToken }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.code).toBe('no_role');
  });

  it('stops issuing when the role no longer names the team the run was started under', async () => {
    // Prepare
    const d = deps();
    const { run, runToken } = await preparedRun(d);
    d.roles[0]!.teams = ['risk'];
    // Act
    const err = await issueRunCredentials(d, { runId: run.id, token: runToken }).catch((e) => e);
    // Assess
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.message).toContain("may no longer assume role 'ads-analyst'");
    expect(d.broker.requests).toEqual([]);
  });

  it('accepts only the token of the latest preparation when the workflow prepared the run twice', async () => {
    // Prepare
    const d = deps();
    const run = await startRun(d, { user: people.alice, notebookId: await notebookOf(d), role: 'ads-analyst' });
    const first = await prepareRun(d, { runId: run.id });
    const second = await prepareRun(d, { runId: run.id });
    // Act
    const old = await issueRunCredentials(d, { runId: run.id, token: first.runToken }).catch((e) => e);
    const keys = await issueRunCredentials(d, { runId: run.id, token: second.runToken });
    // Assess
    expect(old).toBeInstanceOf(ForbiddenError);
    expect(keys.role).toBe('ads-analyst');
  });
});
