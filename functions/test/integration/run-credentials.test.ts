import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FAKE_STS_CALLER, type FakeSts, startFakeSts } from '../support/fake-sts.ts';
import { fixture } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { boto3Available, jupyterKernelAvailable, printed, readOutput, waitForRun } from '../support/runs.ts';

const ROLES = [
  {
    name: 'ads-analyst',
    roleArn: 'arn:aws:iam::123456789012:role/orrery/ads-analyst',
    account: 'ads-dev',
    environment: 'dev',
    maxSessionSeconds: 3600,
    teams: ['ads'],
  },
];
// Keys that expire this soon after issue: the runner's server serves them for only the few seconds they keep more
// than a minute (container_credentials.py), then fetches new ones, so a cell that waits 6 s sees a refresh.
const SHORT_EXPIRY_SECONDS = 64;

// The environment of a run's processes (local mode's runners are not made non-dumpable), by pid.
const environmentsOfRun = (runId: string): Map<string, Map<string, string>> => {
  const found = new Map<string, Map<string, string>>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const entries = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!entries.includes(`ORRERY_RUN_ID=${runId}`)) continue;
      found.set(
        pid,
        new Map(entries.filter(Boolean).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
      );
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
};

// Waits until the run's runner and its kernel are both up; returns their environments as /proc shows them.
const runnerAndKernel = async (runId: string) => {
  for (let i = 0; i < 300; i += 1) {
    const envs = [...environmentsOfRun(runId).values()];
    const runner = envs.find((e) => e.has('ORRERY_RUN_TOKEN'));
    const kernel = envs.find((e) => !e.has('ORRERY_RUN_TOKEN') && e.has('AWS_CONTAINER_CREDENTIALS_FULL_URI'));
    if (runner && kernel) return { runner, kernel };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the runner and kernel of ${runId} never both appeared`);
};

describe.skipIf(!jupyterKernelAvailable() || !boto3Available())(
  "a run's role: boto3 in its kernel gets the role's keys",
  () => {
    let t: TestPlatform;
    let sts: FakeSts;

    beforeAll(async () => {
      sts = await startFakeSts();
      // The broker is the SDK's default chain, as `npm start` has it: static keys the fake knows, its endpoint.
      vi.stubEnv('AWS_ENDPOINT_URL_STS', sts.url);
      vi.stubEnv('AWS_ACCESS_KEY_ID', FAKE_STS_CALLER.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', FAKE_STS_CALLER.secretAccessKey);
      vi.stubEnv('AWS_SESSION_TOKEN', undefined);
      vi.stubEnv('AWS_PROFILE', undefined);
      vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
      t = await startTestPlatform(undefined, { ORRERY_ROLES: JSON.stringify(ROLES) });
    });
    afterAll(async () => {
      await t?.close();
      await sts?.close();
      vi.unstubAllEnvs();
    });

    it('prints keys STS issued, refreshed within the run, audits them as the run’s, and the token dies with it', async () => {
      // Prepare
      sts.state.maxSessionSeconds.set(ROLES[0]!.roleArn, 3600);
      sts.state.expiresInSeconds = SHORT_EXPIRY_SECONDS;
      const notebook = await t.api('POST', '/notebooks', t.tokens.alice, {
        title: 'AWS keys',
        content: fixture('runner/aws-keys.ipynb'),
      });
      const notebookId = notebook.body.notebook.id as string;

      // Act
      const started = await t.api('POST', `/notebooks/${notebookId}/runs`, t.tokens.alice, { role: 'ads-analyst' });
      const { runner, kernel } = await runnerAndKernel(started.body.id);
      const run = await waitForRun(t, started.body.id, t.tokens.alice);
      const output = await readOutput(run);
      const log = await t.api('GET', '/credentials/log', t.tokens.alice);
      const afterEnd = await fetch(`${t.platform.apiUrl}/runs/${run.id}/credentials`, {
        method: 'POST',
        headers: { authorization: `token ${runner.get('ORRERY_RUN_TOKEN')}`, 'content-type': 'application/json' },
        body: '{}',
      });

      // Assess
      expect(started.status).toBe(202);
      expect(started.body.role).toBe('ads-analyst');
      expect(run.status).toBe('COMPLETED');
      const text = output.cells
        .filter((c) => c.cell_type === 'code')
        .map(printed)
        .join('');
      const first = /first key (\S+)/.exec(text)?.[1];
      const second = /second key (\S+)/.exec(text)?.[1];
      const issued = sts.requests.map((r) => r.issued?.accessKeyId).filter(Boolean);
      expect(first).toBe(issued[0]);
      expect(second).not.toBe(first);
      expect(issued).toContain(second);
      expect(text).toContain('run token visible False');
      expect(text).toContain('token file variable False');
      expect(sts.requests[0]).toMatchObject({
        roleArn: ROLES[0]!.roleArn,
        sourceIdentity: 'alice',
        tags: { 'orrery:user': 'alice', 'orrery:team': 'ads', 'orrery:purpose': 'run', 'orrery:run': run.id },
      });
      expect(log.body.items.length).toBe(issued.length);
      expect(log.body.items[0]).toMatchObject({ purpose: 'run', runId: run.id, role: 'ads-analyst', user: 'alice' });
      expect(kernel.get('AWS_CONTAINER_AUTHORIZATION_TOKEN')).toMatch(/^[\w-]{43}$/);
      expect([...kernel.keys()].filter((k) => k.startsWith('ORRERY_'))).toEqual(['ORRERY_RUN_ID', 'ORRERY_RUNS_DIR']);
      expect(afterEnd.status).toBe(403);
    }, 90_000);

    it('refuses a role not held at start (403), gives a run without a role no token, and refuses strangers', async () => {
      // Prepare
      const notebook = await t.api('POST', '/notebooks', t.tokens.bob, {
        title: 'No role',
        content: fixture('runner/ok.ipynb'),
      });
      const notebookId = notebook.body.notebook.id as string;
      const asCredentials = await t.api('POST', '/credentials', t.tokens.bob, { role: 'ads-analyst' });

      // Act
      const notHeld = await t.api('POST', `/notebooks/${notebookId}/runs`, t.tokens.bob, { role: 'ads-analyst' });
      const plain = await t.api('POST', `/notebooks/${notebookId}/runs`, t.tokens.bob, {});
      const seen: Array<Map<string, string>> = [];
      while (
        !['COMPLETED', 'FAILED', 'STOPPED'].includes(
          (await t.api('GET', `/runs/${plain.body.id}`, t.tokens.bob)).body.status,
        )
      ) {
        seen.push(...environmentsOfRun(plain.body.id).values());
        await new Promise((r) => setTimeout(r, 20));
      }
      const post = (authorization?: string) =>
        fetch(`${t.platform.apiUrl}/runs/${plain.body.id}/credentials`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: '{}',
        });
      const [none, stranger] = await Promise.all([post(), post(`token ${'x'.repeat(43)}`)]);

      // Assess
      expect(notHeld.status).toBe(403);
      expect(notHeld.body.message).toBe(asCredentials.body.message);
      expect(plain.body.role).toBeNull();
      expect(seen.length).toBeGreaterThan(0);
      expect(
        seen.filter((env) => env.has('ORRERY_RUN_TOKEN') || env.has('AWS_CONTAINER_CREDENTIALS_FULL_URI')),
      ).toEqual([]);
      expect([none.status, stranger.status]).toEqual([401, 403]);
    }, 60_000);
  },
);
