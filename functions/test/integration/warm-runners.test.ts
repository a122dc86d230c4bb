import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunnerCompute, type LocalLaunch } from '../../src/adapters/local/local-runner-compute.ts';
import { RunnerFailedError, RunnerUnavailableError, RunStoppedError } from '../../src/domain/errors.ts';
import { fixture } from '../support/notebooks.ts';
import { jupyterKernelAvailable } from '../support/runs.ts';

const PYTHON = '/usr/bin/python3';
const RUNNER = join(import.meta.dirname, '..', '..', '..', 'images', 'notebook-runner', 'runner.py');

/** A python3 notebook of code cells. */
const notebook = (cells: string[], kernel = 'python3') =>
  JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: kernel, display_name: kernel, language: 'python' } },
    cells: cells.map((source, i) => ({
      id: `c${i}`,
      cell_type: 'code',
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
  });

interface Output {
  metadata: Record<string, any>;
  cells: Array<{ outputs: Array<{ text?: string | string[] }>; execution_count: number | null; metadata: any }>;
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Output;
const textOf = (out: Output, cell: number) =>
  out.cells[cell]!.outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');

/** Processes whose environment holds every marker (a run's runner and kernel, or a warm runner's). */
const processesMarked = (...markers: string[]) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        const environ = `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`;
        return markers.every((m) => environ.includes(`\0${m}\0`));
      } catch {
        return false;
      }
    });

/** Polls until `ready()` holds; the deadline only turns a hang into a failure that says what never happened. */
const waitUntil = async (ready: () => boolean, what: string, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(!jupyterKernelAvailable())('warm runners on a real Jupyter kernel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-warm-'));
  const workDir = join(dir, 'runs');
  let warm: LocalRunnerCompute;
  let cold: LocalRunnerCompute;
  let n = 0;

  /** A launch of `body` with file locations (the runner reads paths as it reads presigned URLs). */
  const launchOf = (body: string, extra: Partial<LocalLaunch> = {}): LocalLaunch & { output: string } => {
    n += 1;
    const input = join(dir, `in-${n}.ipynb`);
    writeFileSync(input, body);
    const runId = `run-${n}`;
    return { runId, inputUrl: input, outputUrl: join(dir, `out-${n}.ipynb`), timeoutSeconds: 120, ...extra } as never;
  };
  const poolFull = () => warm.readyWarmRunners() === 2;

  beforeAll(async () => {
    mkdirSync(workDir);
    warm = new LocalRunnerCompute(PYTHON, RUNNER, workDir, [], { size: 2, kernels: ['python3'] });
    cold = new LocalRunnerCompute(PYTHON, RUNNER, join(dir, 'cold-runs'));
    warm.reapLeftovers();
    await warm.startWarmRunners();
    await waitUntil(poolFull, 'two warm runners ready');
  });
  afterAll(async () => {
    await warm?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes a run with the output a cold runner writes, taking a ready runner that is then replaced', async () => {
    // Prepare: the fixture, and a last cell that says which kind of runner ran it.
    const nb = JSON.parse(fixture('exact-parameters.ipynb'));
    const which = JSON.parse(notebook(["import os\nprint('ORRERY_WARM_RUNNER' in os.environ)"])).cells[0];
    const body = JSON.stringify({ ...nb, cells: [...nb.cells, { ...which, id: 'which' }] });
    const [hot, ice] = [launchOf(body), launchOf(body)];
    const before = warm.idleWarmMarkers();
    // Act
    await warm.run(hot);
    await cold.run(ice);
    // Assess: one runner was taken, and a fresh one took its place.
    const after = warm.idleWarmMarkers();
    expect(after.filter((m) => !before.includes(m))).toHaveLength(1);
    const [a, b] = [read(hot.outputUrl), read(ice.outputUrl)];
    const last = a.cells.length - 1;
    expect([textOf(a, last), textOf(b, last)]).toEqual(['True\n', 'False\n']);
    [a.cells, b.cells] = [a.cells.slice(0, last), b.cells.slice(0, last)];
    expect(a.metadata.orrery).toEqual(b.metadata.orrery);
    expect(a.metadata.language_info).toEqual(b.metadata.language_info);
    expect(a.metadata.kernelspec).toEqual(b.metadata.kernelspec);
    expect(a.cells.map((c) => [c.outputs, c.execution_count, c.metadata.papermill.status])).toEqual(
      b.cells.map((c) => [c.outputs, c.execution_count, c.metadata.papermill.status]),
    );
    await waitUntil(poolFull, 'the pool refilled');
  });

  it('gives each run a kernel of its own: what the first defined is undefined in the second', async () => {
    // Prepare
    const body = notebook([
      "import os\nprint(globals().get('left_behind', 'undefined'), os.environ.get('ORRERY_WARM_RUNNER'))\n" +
        "left_behind = 'by an earlier run'",
    ]);
    const [first, second] = [launchOf(body), launchOf(body)];
    // Act
    await warm.run(first);
    await warm.run(second);
    // Assess
    const [one, two] = [textOf(read(first.outputUrl), 0), textOf(read(second.outputUrl), 0)];
    expect(one.split(' ')[0]).toBe('undefined');
    expect(two.split(' ')[0]).toBe('undefined');
    expect(one.split(' ')[1]).toMatch(/^warm-/);
    expect(two.split(' ')[1]).toMatch(/^warm-/);
    expect(one.split(' ')[1]).not.toBe(two.split(' ')[1]);
    await waitUntil(poolFull, 'the pool refilled');
  });

  it("keeps the run's URLs out of its kernel, which started before the run existed", async () => {
    // Prepare
    const body = notebook([
      "import os\nprint('\\n'.join(f'{k}={v}' for k, v in sorted(os.environ.items())))\nprint('CWD', os.getcwd())",
    ]);
    const launch = launchOf(body);
    // Act
    await warm.run(launch);
    // Assess
    const seen = textOf(read(launch.outputUrl), 0);
    expect(seen).toMatch(/^ORRERY_WARM_RUNNER=warm-/m);
    expect(seen).not.toContain('ORRERY_INPUT_URL');
    expect(seen).not.toContain('ORRERY_OUTPUT_URL');
    expect(seen).not.toContain(launch.inputUrl);
    expect(seen).toContain(`CWD ${join(workDir, launch.runId)}`);
    await waitUntil(poolFull, 'the pool refilled');
  });

  it('stops a warm run when asked: STOPPED, its output saved, no process of it left', async () => {
    // Prepare
    const launch = launchOf(fixture('runner/slow.ipynb'));
    const before = warm.idleWarmMarkers();
    // Act
    const ended = warm.run(launch).catch((err: Error) => err);
    await waitUntil(() => {
      try {
        return read(launch.outputUrl).cells[1]?.metadata.papermill.status === 'running';
      } catch {
        return false;
      }
    }, 'the slow cell running');
    await warm.stop(launch.runId);
    // Assess
    expect(await ended).toBeInstanceOf(RunStoppedError);
    expect(read(launch.outputUrl).metadata.orrery.status).toBe('STOPPED');
    const taken = before.find((m) => !warm.idleWarmMarkers().includes(m));
    expect(taken).toBeDefined();
    expect(processesMarked(taken!)).toEqual([]);
    await waitUntil(poolFull, 'the pool refilled');
  });

  it('ends a warm run past its timeout as FAILED, naming the timeout', async () => {
    // Prepare
    const launch = launchOf(fixture('runner/slow.ipynb'), { timeoutSeconds: 2 });
    const before = warm.idleWarmMarkers();
    // Act
    const err = await warm.run(launch).catch((e: Error) => e);
    // Assess
    expect(warm.idleWarmMarkers().filter((m) => !before.includes(m))).toHaveLength(1);
    expect(err).toBeInstanceOf(RunnerFailedError);
    expect(read(launch.outputUrl).metadata.orrery.reason).toBe('run timed out after 2 s');
    await waitUntil(poolFull, 'the pool refilled');
  });

  it('starts cold a run with a role, and one of a kernelspec the pool does not hold', async () => {
    // Prepare
    const credentials = { role: 'analyst', apiUrl: 'http://127.0.0.1:9/api', runToken: 'secret-token' };
    const withRole = launchOf(notebook(['print(1)']), { credentials });
    const otherKernel = launchOf(notebook(['print(1)'], 'no-such-kernel'));
    const before = warm.idleWarmMarkers();
    // Act
    await warm.run(withRole);
    const err = await warm.run(otherKernel).catch((e: Error) => e);
    // Assess
    expect(warm.idleWarmMarkers()).toEqual(before);
    expect(read(withRole.outputUrl).metadata.orrery.status).toBe('COMPLETED');
    expect(err).toBeInstanceOf(RunnerUnavailableError);
    expect((err as Error).message).toMatch(/no-such-kernel/);
  });

  it('replaces a runner that dies while it waits', async () => {
    // Prepare
    const [victim] = warm.idleWarmMarkers();
    const runner = processesMarked(victim!).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--warm'),
    );
    // Act
    process.kill(Number(runner), 'SIGKILL');
    // Assess
    await waitUntil(() => !warm.idleWarmMarkers().includes(victim!) && poolFull(), 'a replacement ready');
    await waitUntil(() => processesMarked(victim!).length === 0, "the dead runner's kernel gone");
  });

  it('ends the idle runners, kernels and folders on stopAll', async () => {
    // Prepare
    const compute = new LocalRunnerCompute(PYTHON, RUNNER, join(dir, 'other-runs'), [], {
      size: 1,
      kernels: ['python3'],
    });
    await compute.startWarmRunners();
    await waitUntil(() => compute.readyWarmRunners() === 1, 'one warm runner ready');
    // Act
    await compute.stopAll();
    // Assess
    expect(processesMarked(`ORRERY_RUNS_DIR=${join(dir, 'other-runs')}`)).toEqual([]);
    expect(readdirSync(join(dir, 'other-runs'))).toEqual([]);
  });
});
