import { execSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/notebooks.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { jupyterKernelAvailable, printed, readOutput, waitForRun } from '../support/runs.ts';

const PYTHON = '/usr/bin/python3';

// Every process a run starts (runner, kernel, whatever the notebook spawns) inherits the runner's environment; warm
// runners no run has taken are not a run's (their markers are read after /proc, so one started meanwhile counts).
const runnerProcesses = (t: TestPlatform) => {
  const environs = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((pid) => {
      try {
        return [pid, `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`] as const;
      } catch {
        return [pid, ''] as const;
      }
    })
    .filter(([, environ]) => environ.includes(`\0ORRERY_RUNS_DIR=${join(t.home, 'runs')}\0`));
  const idle = t.platform.compute.idleWarmMarkers();
  return environs.filter(([, environ]) => !idle.some((m) => environ.includes(`\0${m}\0`))).map(([pid]) => pid);
};

let t: TestPlatform;
const ids: Record<string, string> = {};

const notebookFrom = async (name: string, visibility = 'private') =>
  (await t.api('POST', '/notebooks', t.tokens.alice, { title: name, visibility, content: fixture(name) })).body.notebook
    .id as string;

// With the default of two warm runners: a run takes one when it is ready, and starts cold otherwise.
describe.skipIf(!jupyterKernelAvailable())('parameterized runs on a real Jupyter kernel', () => {
  beforeAll(async () => {
    t = await startTestPlatform(undefined, { ORRERY_WARM_RUNNERS: '2' });
    ids.exact = await notebookFrom('exact-parameters.ipynb');
    ids.raises = await notebookFrom('runner/raises.ipynb');
    ids.dies = await notebookFrom('runner/dies.ipynb');
    ids.slow = await notebookFrom('runner/slow.ipynb');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs with new parameters and every value arrives in the kernel exactly as sent', async () => {
    // Prepare
    const parameters = {
      text: 'it\'s "quoted" """ \\ back\nline \u0000 nul — é 🚀👩‍💻',
      big: 2n ** 64n + 1n,
      ratio: 'nan',
      neg_zero: -0,
      flag: false,
      nothing: null,
      nested: { k: [1, 2.5, 'x', null, true, 'ONE_POINT_ZERO'], deep: { n: -(2n ** 63n) } },
    };
    // Act
    // -0.0 must go out as written: JSON.stringify(-0) would send 0.
    const started = await t.raw(
      'POST',
      `/notebooks/${ids.exact}/runs`,
      t.tokens.alice,
      stringify({ parameters: { ...parameters, neg_zero: 'NEG_ZERO' } })!
        .replace('"NEG_ZERO"', '-0.0')
        .replace('"ONE_POINT_ZERO"', '1.0'),
    );
    const run = await waitForRun(t, started.body.id, t.tokens.alice);
    // Assess
    expect(started.status).toBe(202);
    expect(run.status, JSON.stringify(run.error)).toBe('COMPLETED');
    const output = await readOutput(run);
    const injectedAt = output.cells.findIndex((c) => c.metadata.tags?.includes('injected-parameters'));
    expect(injectedAt).toBe(2);
    expect(output.cells[1]!.metadata.tags).toContain('parameters');
    const lines = printed(output.cells[3]!).split('\n');
    expect(lines.slice(1)).toEqual([
      'big = 18446744073709551617',
      'ratio = nan',
      'flag = False',
      'nothing = None',
      `nested = {'k': [1, 2.5, 'x', None, True, 1.0], 'deep': {'n': -9223372036854775808}}`,
      'neg_zero_sign = -1.0',
      '',
    ]);
    const textLine = printed(output.cells[3]!).split('\n')[0]!;
    const pyRepr = execSync(`${PYTHON} -c 'import sys, json; print(repr(json.loads(sys.stdin.read())))'`, {
      input: JSON.stringify(parameters.text),
      encoding: 'utf8',
    }).trim();
    expect(textLine).toBe(`text = ${pyRepr}`);
    expect(output.metadata.papermill).toMatchObject({ exception: false });
    expect(output.metadata.papermill.duration).toBeGreaterThan(0);
    expect(run.parameters).toMatchObject({ big: '18446744073709551617', ratio: 'nan', flag: false, nothing: null });
    expect(t.platform.workflows.transitions.get(run.id)).toBe(4);
    const html = await t.api('GET', `/runs/${run.id}/output/html`, t.tokens.alice);
    expect(html.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(html.text).toContain('neg_zero_sign');
  });

  it('ends FAILED at the first failing cell with its error, keeping the partial output', async () => {
    const started = await t.api('POST', `/notebooks/${ids.raises}/runs`, t.tokens.alice, {});
    const run = await waitForRun(t, started.body.id, t.tokens.alice);
    expect(run).toMatchObject({ status: 'FAILED', hasOutput: true, error: { ename: 'ValueError', evalue: 'boom' } });
    expect(run.error.cellIndex).toBeGreaterThanOrEqual(0);
    expect(run.error.traceback.join('\n')).toContain('boom');
    const output = await readOutput(run);
    expect(output.metadata.papermill.exception).toBe(true);
  });

  it('ends FAILED when the kernel dies, and says so', async () => {
    const started = await t.api('POST', `/notebooks/${ids.dies}/runs`, t.tokens.alice, {});
    const run = await waitForRun(t, started.body.id, t.tokens.alice);
    expect(run.status).toBe('FAILED');
    expect(run.error.reason).toMatch(/kernel/i);
  });

  it('ends FAILED past its timeout with the output of the cells that finished', async () => {
    const started = await t.api('POST', `/notebooks/${ids.slow}/runs`, t.tokens.alice, { timeoutSeconds: 10 });
    const run = await waitForRun(t, started.body.id, t.tokens.alice);
    expect(run.status).toBe('FAILED');
    expect(run.error.reason).toMatch(/timed out|timeout/i);
    expect(run.hasOutput).toBe(true);
    expect(runnerProcesses(t)).toEqual([]);
  });

  it('stops a running notebook: STOPPED, partial output kept, no process left behind', async () => {
    const started = await t.api('POST', `/notebooks/${ids.slow}/runs`, t.tokens.alice, {});
    await waitForRun(t, started.body.id, t.tokens.alice, ['IN_PROGRESS']);
    await new Promise((r) => setTimeout(r, 3000));
    const cancel = await t.api('POST', `/runs/${started.body.id}/cancel`, t.tokens.alice);
    expect(cancel.status).toBe(202);
    const run = await waitForRun(t, started.body.id, t.tokens.alice);
    expect(run).toMatchObject({ status: 'STOPPED', stopRequestedBy: 'alice', error: { reason: 'stopped by alice' } });
    expect(run.hasOutput).toBe(true);
    expect(runnerProcesses(t)).toEqual([]);
    expect((await t.api('POST', `/runs/${run.id}/cancel`, t.tokens.alice)).status).toBe(409);
  });

  it('stops a run cancelled during launch before anything runs', async () => {
    // A 3 MB body keeps the Prepare step busy for far longer than the cancel takes to land.
    const big = JSON.parse(fixture('runner/slow.ipynb'));
    big.cells.unshift({ id: 'ballast', cell_type: 'markdown', metadata: {}, source: 'x'.repeat(3_000_000) });
    const nb = (await t.api('POST', '/notebooks', t.tokens.alice, { title: 'ballast', content: JSON.stringify(big) }))
      .body.notebook.id;
    const started = await t.api('POST', `/notebooks/${nb}/runs`, t.tokens.alice, {});
    await t.api('POST', `/runs/${started.body.id}/cancel`, t.tokens.alice);
    const run = await waitForRun(t, started.body.id, t.tokens.alice);
    expect(run.status).toBe('STOPPED');
    expect(run.startedAt).toBeNull();
    expect(run.hasOutput).toBe(false);
    expect(runnerProcesses(t)).toEqual([]);
  });

  it('ends FAILED with the partial output when the runner itself is killed', async () => {
    const started = await t.api('POST', `/notebooks/${ids.slow}/runs`, t.tokens.alice, {});
    await waitForRun(t, started.body.id, t.tokens.alice, ['IN_PROGRESS']);
    await new Promise((r) => setTimeout(r, 3000));
    process.kill(t.platform.compute.runnerPid(started.body.id)!, 'SIGKILL');
    const run = await waitForRun(t, started.body.id, t.tokens.alice);
    expect(run.status).toBe('FAILED');
    expect(run.error.reason).toMatch(/killed/);
    expect(run.hasOutput).toBe(true);
    expect(runnerProcesses(t)).toEqual([]);
  });

  it('returns the same run for one idempotency key when fifty requests race', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.api('POST', `/notebooks/${ids.exact}/runs`, t.tokens.alice, { idempotencyKey: 'weekly-2026-48' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(202));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    await waitForRun(t, results[0]!.body.id, t.tokens.alice);
  });

  it('refuses bad parameters before anything starts, naming the parameter and the type', async () => {
    const res = await t.api('POST', `/notebooks/${ids.exact}/runs`, t.tokens.alice, {
      parameters: { big: 'many', unknown_one: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/big/);
    expect(res.body.message).toMatch(/int/);
    expect(res.body.message).toMatch(/unknown_one/);
    const injection = await t.api('POST', `/notebooks/${ids.exact}/runs`, t.tokens.alice, {
      parameters: { 'x = 1\nimport os': 1 },
      allowUnknownParameters: true,
    });
    expect(injection.status).toBe(400);
  });

  it('lists runs by notebook and status, and reruns with overrides', async () => {
    // Prepare: a notebook of its own, so no other test's runs show in its listing.
    const notebookId = await notebookFrom('runner/raises.ipynb');
    const started = await t.api('POST', `/notebooks/${notebookId}/runs`, t.tokens.alice, {});
    const ended = await waitForRun(t, started.body.id, t.tokens.alice);
    // Act
    const byNotebook = await t.api('GET', `/runs?notebook=${notebookId}`, t.tokens.alice);
    const failed = await t.api('GET', '/runs?status=FAILED&limit=50', t.tokens.alice);
    const first = byNotebook.body.items[0];
    const again = await t.api('POST', `/runs/${first.id}/rerun`, t.tokens.alice, {});
    // Assess
    const listed = byNotebook.body.items.map((r: { id: string; status: string }) => [r.id, r.status]);
    expect(listed).toEqual([[ended.id, 'FAILED']]);
    expect(failed.body.items.map((r: { id: string }) => r.id)).toContain(ended.id);
    expect(failed.body.items.every((r: { status: string }) => r.status === 'FAILED')).toBe(true);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ rerunOf: first.id, notebookId, notebookTitle: 'runner/raises.ipynb' });
    expect(first.notebookTitle).toBe('runner/raises.ipynb');
    await waitForRun(t, again.body.id, t.tokens.alice);
    expect((await t.api('GET', `/runs/${first.id}`, t.tokens.bob)).status).toBe(404);
  });
});

describe.skipIf(!jupyterKernelAvailable())('what a run’s notebook can reach and write in local mode', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform(undefined, {
      ORRERY_RUN_MAX_OUTPUT_BYTES: '100000',
      ORRERY_RUN_MAX_NOTEBOOK_OUTPUT_BYTES: '150000',
    });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('gives the kernel none of the platform’s keys or settings: a notebook that prints its environment shows none', async () => {
    // Prepare: what a developer's shell may hold when they start the platform.
    const planted = {
      AWS_ACCESS_KEY_ID: 'AKIAPLANTED',
      AWS_SECRET_ACCESS_KEY: 'planted-aws-secret',
      AWS_SESSION_TOKEN: 'planted-session',
      ORRERY_CURSOR_SECRET: 'planted-cursor-secret-0123456789',
    };
    const before = Object.fromEntries(Object.keys(planted).map((k) => [k, process.env[k]]));
    Object.assign(process.env, planted);
    const secrets = JSON.parse(readFileSync(join(p.home, 'secrets.json'), 'utf8')) as {
      cursorSecret: string;
      signingKey: { d: string };
    };
    const nb = (
      await p.api('POST', '/notebooks', p.tokens.alice, { title: 'environ', content: fixture('runner/snoops.ipynb') })
    ).body.notebook.id;
    try {
      // Act
      const started = await p.api('POST', `/notebooks/${nb}/runs`, p.tokens.alice, {});
      const run = await waitForRun(p, started.body.id, p.tokens.alice);
      // Assess
      expect(run.status, JSON.stringify(run.error)).toBe('COMPLETED');
      const seen = printed((await readOutput(run)).cells.find((c) => c.id === 'snoops-0')!);
      expect(seen).toMatch(/^ENV .*'PATH'/m);
      for (const secret of [...Object.values(planted), secrets.cursorSecret, secrets.signingKey.d])
        expect(seen).not.toContain(secret);
      expect(statSync(join(p.home, 'secrets.json')).mode & 0o777).toBe(0o600);
    } finally {
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('caps a flood of output at the configured limits, keeps its head and tail, and says so on the run', async () => {
    // Prepare
    const nb = (
      await p.api('POST', '/notebooks', p.tokens.alice, { title: 'flood', content: fixture('runner/floods.ipynb') })
    ).body.notebook.id;
    // Act
    const started = await p.api('POST', `/notebooks/${nb}/runs`, p.tokens.alice, {});
    const run = await waitForRun(p, started.body.id, p.tokens.alice);
    // Assess
    expect(run, JSON.stringify(run.error)).toMatchObject({
      status: 'COMPLETED',
      hasOutput: true,
      outputTruncated: true,
    });
    const flood = printed((await readOutput(run)).cells.find((c) => c.id === 'floods-0')!);
    expect(flood).toMatch(/^line 0 /);
    expect(flood).toMatch(/… output truncated \(\d+(\.\d)? (KB|MB) more\) …/);
    expect(flood).toMatch(/done after \d+ lines\n$/);
    expect((await p.api('GET', `/runs/${run.id}`, p.tokens.alice)).body.outputTruncated).toBe(true);
  });
});

describe('runs where no kernel is installed', () => {
  it('fail at once with a message that says what to install', async () => {
    const p = await startTestPlatform(undefined, { ORRERY_PYTHON: '/nonexistent/python3' });
    try {
      const nb = (
        await p.api('POST', '/notebooks', p.tokens.alice, { title: 'x', content: fixture('exact-parameters.ipynb') })
      ).body.notebook.id;
      const started = await p.api('POST', `/notebooks/${nb}/runs`, p.tokens.alice, {});
      const run = await waitForRun(p, started.body.id, p.tokens.alice, undefined, 20_000);
      expect(run.status).toBe('FAILED');
      expect(run.error.reason).toMatch(/apt-get install python3-nbclient/);
    } finally {
      await p.close();
    }
  });
});
