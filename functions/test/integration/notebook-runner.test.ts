import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES } from '../support/notebooks.ts';

const PYTHON = process.env.ORRERY_PYTHON ?? '/usr/bin/python3';
const RUNNER = join(import.meta.dirname, '..', '..', '..', 'images', 'notebook-runner', 'runner.py');
const RUNNER_FIXTURES = join(FIXTURES, 'runner');
const INSTALL = 'apt-get install python3-nbclient python3-ipykernel jupyter-client';

const jupyterAvailable = (): boolean =>
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import nbclient, nbformat, ipykernel'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
const available = jupyterAvailable();
// CI must never pass by skipping: there the suite runs and fails with what to install.
const runSuite = available || process.env.CI === 'true';
// Under CI without Jupyter only the check above the cases runs, and fails saying what to install.
const itWithJupyter = it.skipIf(!available);

interface RunnerResult {
  status: 'COMPLETED' | 'FAILED' | 'STOPPED';
  reason: string | null;
  error: { cellIndex: number; ename: string; evalue: string; traceback: string[] } | null;
  durationSeconds: number;
  outputWritten: boolean;
  outputTruncated: boolean;
}

interface CellPapermill {
  status: 'pending' | 'running' | 'completed' | 'failed';
  start_time: string | null;
  end_time: string | null;
  duration: number | null;
  exception: boolean | null;
}

interface OutputNotebook {
  metadata: {
    papermill: Record<string, unknown> & {
      start_time: string;
      end_time: string | null;
      duration: number | null;
      exception: boolean | null;
    };
    orrery: {
      status: string;
      reason: string | null;
      error: RunnerResult['error'];
      outputTruncated?: { outputs: number; omittedBytes: number } | null;
    };
    language_info?: { name: string };
  };
  cells: Array<{
    cell_type: string;
    execution_count?: number | null;
    outputs?: Array<{
      output_type: string;
      text?: string | string[];
      data?: Record<string, string | string[]>;
      ename?: string;
    }>;
    metadata: { papermill: CellPapermill };
  }>;
}

interface FinishedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  result: RunnerResult;
  /** ipykernel_launcher processes seen with the runner as their parent while it ran. */
  kernelPids: number[];
}

interface StartedRun {
  child: ChildProcess;
  finished: Promise<FinishedRun>;
  kernelPids: Set<number>;
}

const run = promisify(execFile);
let workDir = '';

/** The machine's processes, as `ps` lists them. */
const processTable = async () => {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? '' }));
};

/** The pids that still belong to a live process (a zombie waiting to be reaped is not one). */
const stillRunning = async (pids: Iterable<number>) => {
  const wanted = new Set(pids);
  return (await processTable()).filter((p) => wanted.has(p.pid) && !p.args.includes('<defunct>')).map((p) => p.pid);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How to start the runner: extra environment, and a command put before the interpreter (setpriv). */
interface RunnerLaunch {
  env?: Record<string, string>;
  prefix?: string[];
}

/** Starts the runner and watches `ps` for the kernels it starts. */
const startRunner = (args: string[], launch: RunnerLaunch = {}): StartedRun => {
  const [command, ...rest] = [...(launch.prefix ?? []), PYTHON, RUNNER, ...args];
  const child = spawn(command!, rest, {
    cwd: workDir,
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const kernelPids = new Set<number>();
  const watch = setInterval(() => {
    processTable()
      .then((table) => {
        for (const p of table) if (p.ppid === child.pid && p.args.includes('ipykernel_launcher')) kernelPids.add(p.pid);
      })
      .catch(() => undefined);
  }, 100);
  const finished = new Promise<FinishedRun>((resolve) =>
    child.on('close', (code) => {
      clearInterval(watch);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      resolve({
        code,
        stdout,
        stderr,
        result: JSON.parse(last || 'null') as RunnerResult,
        kernelPids: [...kernelPids],
      });
    }),
  );
  return { child, finished, kernelPids };
};

/** Runs the runner to its end. */
const runRunner = (args: string[], launch?: RunnerLaunch) => startRunner(args, launch).finished;

/** A fixture copied into this test's folder, so runs never touch the checked-in files. */
const input = (name: string) => {
  const path = join(workDir, name);
  copyFileSync(join(RUNNER_FIXTURES, name), path);
  return path;
};

const readNotebook = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as OutputNotebook;

/** The text a cell printed or displayed. */
const textOf = (cell: OutputNotebook['cells'][number] | undefined) =>
  (cell?.outputs ?? []).map((o) => [o.text ?? '', o.data?.['text/plain'] ?? ''].flat().join('')).join('');

/** Waits until `check` passes, or fails with the last reason after `ms`. */
const eventually = async <T>(check: () => T | undefined, ms: number): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const value = check();
      if (value !== undefined) return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`nothing after ${ms} ms`);
    await sleep(50);
  }
};

/** A progress save of slow.ipynb made while its cell 1 runs, or undefined before there is one. */
const progressWhileSlowCellRuns = (path: string) => {
  if (!existsSync(path)) return undefined;
  const nb = readNotebook(path);
  return nb.cells[1]?.metadata.papermill.status === 'running' ? nb : undefined;
};

/** Serves one input notebook and records the PUTs of the output, failing the first PUT with a 503. */
const startNotebookServer = async (notebook: string) => {
  const puts: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
  let refusedOnce = false;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.startsWith('/bucket/input.ipynb?')) {
        res.writeHead(200, { 'content-type': 'application/x-ipynb+json' }).end(notebook);
      } else if (req.method === 'PUT' && req.url?.startsWith('/bucket/output.ipynb?')) {
        if (!refusedOnce) {
          refusedOnce = true;
          res.writeHead(503).end('slow down');
          return;
        }
        puts.push({ url: req.url, headers: req.headers, body });
        res.writeHead(200).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bucket`;
  return { base, puts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

describe.skipIf(!runSuite)('the notebook runner on a real Jupyter kernel', () => {
  it('finds nbclient, nbformat and ipykernel under the interpreter', () => {
    expect(
      available,
      `${PYTHON} cannot import nbclient, nbformat and ipykernel; with CI=true this suite must run: ${INSTALL}`,
    ).toBe(true);
  });

  afterEach(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const freshDir = () => {
    workDir = mkdtempSync(join(tmpdir(), 'orrery-runner-'));
    return workDir;
  };

  itWithJupyter('executes every cell and writes the outputs with papermill metadata', async () => {
    // Prepare
    const dir = freshDir();
    const output = join(dir, 'out.ipynb');
    // Act
    const done = await runRunner(['--input', input('ok.ipynb'), '--output', output]);
    // Assess
    expect(done.code, done.stderr).toBe(0);
    expect(done.result).toMatchObject({ status: 'COMPLETED', reason: null, error: null, outputWritten: true });
    const nb = readNotebook(output);
    expect(nb.metadata.papermill).toMatchObject({
      exception: false,
      version: 'orrery-runner',
      parameters: {},
      environment_variables: {},
      input_path: join(dir, 'ok.ipynb'),
      output_path: output,
    });
    expect(nb.metadata.papermill.duration).toBeCloseTo(done.result.durationSeconds, 3);
    expect(Date.parse(nb.metadata.papermill.end_time ?? '')).toBeGreaterThanOrEqual(
      Date.parse(nb.metadata.papermill.start_time),
    );
    expect(nb.metadata.orrery).toEqual({ status: 'COMPLETED', reason: null, error: null, outputTruncated: null });
    expect(nb.metadata.language_info?.name).toBe('python');
    expect(nb.cells.map((c) => c.metadata.papermill.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
    expect(
      nb.cells.every(
        (c) => c.metadata.papermill.exception === false && typeof c.metadata.papermill.duration === 'number',
      ),
    ).toBe(true);
    expect(textOf(nb.cells[1])).toBe('hello from the runner\n');
    expect(textOf(nb.cells[2])).toBe('total 285\n');
    expect(textOf(nb.cells[3])).toBe('570');
    expect(nb.cells.slice(1).map((c) => c.execution_count)).toEqual([1, 2, 3, 4]);
    expect(done.stdout.trim().split('\n')).toHaveLength(1);
    expect(await stillRunning(done.kernelPids)).toEqual([]);
  });

  itWithJupyter('stops at the cell that raises and reports its index, error and traceback', async () => {
    // Prepare
    const output = join(freshDir(), 'out.ipynb');
    // Act
    const done = await runRunner(['--input', input('raises.ipynb'), '--output', output]);
    // Assess
    expect(done.code, done.stderr).toBe(1);
    expect(done.result.status).toBe('FAILED');
    expect(done.result.error).toMatchObject({ cellIndex: 2, ename: 'ValueError', evalue: 'boom' });
    expect(done.result.error?.traceback.join('\n')).toContain('raise');
    const nb = readNotebook(output);
    expect(nb.metadata.orrery.error).toEqual(done.result.error);
    expect(nb.metadata.papermill.exception).toBe(true);
    expect(nb.cells.map((c) => c.metadata.papermill.status)).toEqual(['completed', 'completed', 'failed', 'pending']);
    expect(nb.cells[2]?.outputs?.[0]).toMatchObject({ output_type: 'error', ename: 'ValueError' });
    expect(nb.cells[3]?.outputs).toEqual([]);
    expect(await stillRunning(done.kernelPids)).toEqual([]);
  });

  itWithJupyter('fails with "kernel died" and the cell index when the kernel exits', async () => {
    // Prepare
    const output = join(freshDir(), 'out.ipynb');
    // Act
    const done = await runRunner(['--input', input('dies.ipynb'), '--output', output]);
    // Assess
    expect(done.code, done.stderr).toBe(1);
    expect(done.result).toMatchObject({
      status: 'FAILED',
      reason: 'kernel died',
      error: { cellIndex: 1, ename: 'DeadKernelError' },
    });
    const nb = readNotebook(output);
    expect(textOf(nb.cells[0])).toBe('alive\n');
    expect(nb.cells.map((c) => c.metadata.papermill.status)).toEqual(['completed', 'failed', 'pending']);
    expect(await stillRunning(done.kernelPids)).toEqual([]);
  });

  itWithJupyter('fails a cell that runs past --cell-timeout, naming the cell and the limit', async () => {
    // Prepare
    const output = join(freshDir(), 'out.ipynb');
    // Act
    const done = await runRunner(['--input', input('slow.ipynb'), '--output', output, '--cell-timeout', '2']);
    // Assess
    expect(done.code, done.stderr).toBe(1);
    expect(done.result).toMatchObject({ status: 'FAILED', error: { cellIndex: 1, ename: 'CellTimeoutError' } });
    expect(done.result.reason).toMatch(/cell 1 .*2 s/);
    expect(done.result.durationSeconds).toBeLessThan(20);
    expect(readNotebook(output).cells.map((c) => c.metadata.papermill.status)).toEqual([
      'completed',
      'failed',
      'pending',
    ]);
    expect(await stillRunning(done.kernelPids)).toEqual([]);
  });

  itWithJupyter('ends a run past --timeout and keeps the output made until then', async () => {
    // Prepare
    const output = join(freshDir(), 'out.ipynb');
    // Act
    const done = await runRunner(['--input', input('slow.ipynb'), '--output', output, '--timeout', '5']);
    // Assess
    expect(done.code, done.stderr).toBe(1);
    expect(done.result).toMatchObject({ status: 'FAILED', reason: 'run timed out after 5 s', error: { cellIndex: 1 } });
    expect(done.result.durationSeconds).toBeGreaterThanOrEqual(5);
    expect(done.result.durationSeconds).toBeLessThan(15);
    const nb = readNotebook(output);
    expect(textOf(nb.cells[0])).toBe('fast cell\n');
    expect(nb.metadata.orrery.reason).toBe('run timed out after 5 s');
    expect(nb.cells.map((c) => c.metadata.papermill.status)).toEqual(['completed', 'failed', 'pending']);
    expect(await stillRunning(done.kernelPids)).toEqual([]);
  });

  itWithJupyter('saves progress to disk while a slow cell is still running', async () => {
    // Prepare
    const output = join(freshDir(), 'out.ipynb');
    const started = startRunner(['--input', input('slow.ipynb'), '--output', output, '--progress-seconds', '1']);
    // Act
    const progress = await eventually(() => progressWhileSlowCellRuns(output), 20_000);
    const exitedEarly = started.child.exitCode !== null;
    started.child.kill('SIGINT');
    const done = await started.finished;
    // Assess
    expect(exitedEarly).toBe(false);
    expect(progress.metadata.orrery.status).toBe('IN_PROGRESS');
    expect(progress.metadata.papermill.end_time).toBeNull();
    expect(textOf(progress.cells[0])).toBe('fast cell\n');
    expect(progress.cells.map((c) => c.metadata.papermill.status)).toEqual(['completed', 'running', 'pending']);
    expect(done.code, done.stderr).toBe(130);
    expect(done.result.status).toBe('STOPPED');
    expect(await stillRunning(done.kernelPids)).toEqual([]);
  });

  itWithJupyter('stops on SIGTERM with exit 143, saves the partial output and leaves no kernel behind', async () => {
    // Prepare
    const output = join(freshDir(), 'out.ipynb');
    const started = startRunner(['--input', input('slow.ipynb'), '--output', output, '--progress-seconds', '1']);
    await eventually(() => progressWhileSlowCellRuns(output), 20_000);
    await eventually(() => (started.kernelPids.size > 0 ? true : undefined), 5_000);
    const kernelsBefore = (await processTable()).filter(
      (p) => p.ppid === started.child.pid && p.args.includes('ipykernel_launcher'),
    );
    // Act
    started.child.kill('SIGTERM');
    const done = await started.finished;
    // Assess
    expect(kernelsBefore).toHaveLength(1);
    expect(done.code, done.stderr).toBe(143);
    expect(done.result).toMatchObject({ status: 'STOPPED', reason: 'stopped', outputWritten: true });
    const nb = readNotebook(output);
    expect(nb.metadata.orrery).toMatchObject({ status: 'STOPPED', reason: 'stopped' });
    expect(textOf(nb.cells[0])).toBe('fast cell\n');
    expect(nb.cells[2]?.metadata.papermill.status).toBe('pending');
    expect(await stillRunning(kernelsBefore.map((p) => p.pid))).toEqual([]);
    expect(
      (await processTable()).filter((p) => p.ppid === started.child.pid && p.args.includes('ipykernel_launcher')),
    ).toEqual([]);
  });

  itWithJupyter('reads the input from a URL and PUTs the output to a presigned URL', async () => {
    // Prepare
    freshDir();
    const server = await startNotebookServer(readFileSync(join(RUNNER_FIXTURES, 'ok.ipynb'), 'utf8'));
    try {
      // Act
      const done = await runRunner([
        '--input',
        `${server.base}/input.ipynb?X-Amz-Signature=secret-in`,
        '--output',
        `${server.base}/output.ipynb?X-Amz-Signature=secret-out`,
      ]);
      // Assess
      expect(done.code, done.stderr).toBe(0);
      expect(done.result).toMatchObject({ status: 'COMPLETED', outputWritten: true });
      const last = server.puts.at(-1);
      expect(last?.headers['content-type']).toBe('application/x-ipynb+json');
      expect(last?.url).toContain('X-Amz-Signature=secret-out');
      const nb = JSON.parse(last?.body ?? '{}') as OutputNotebook;
      expect(nb.metadata.orrery.status).toBe('COMPLETED');
      expect(textOf(nb.cells[3])).toBe('570');
      // Presigned signatures are credentials: they must not be written into the notebook.
      expect(nb.metadata.papermill).toMatchObject({
        input_path: `${server.base}/input.ipynb`,
        output_path: `${server.base}/output.ipynb`,
      });
      expect(last?.body).not.toContain('secret');
    } finally {
      await server.close();
    }
  });

  itWithJupyter(
    'takes its URLs from the environment and hides them from the kernel: not inherited, not in argv, not in /proc',
    async () => {
      // Prepare: the runner's pod runs it as uid 1000 without capabilities; as root here, drop to nobody the same way.
      const dir = freshDir();
      const server = await startNotebookServer(readFileSync(join(RUNNER_FIXTURES, 'snoops.ipynb'), 'utf8'));
      const asRoot = process.getuid?.() === 0;
      if (asRoot) {
        chownSync(dir, 65534, 65534);
        chmodSync(dir, 0o700);
      }
      const env = {
        ORRERY_INPUT_URL: `${server.base}/input.ipynb?X-Amz-Signature=secret-in`,
        ORRERY_OUTPUT_URL: `${server.base}/output.ipynb?X-Amz-Signature=secret-out`,
        HOME: dir,
        JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      };
      try {
        // Act
        const done = await runRunner(['--non-dumpable'], {
          env,
          prefix: asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [],
        });
        // Assess
        expect(done.code, done.stderr).toBe(0);
        const nb = JSON.parse(server.puts.at(-1)?.body ?? '{}') as OutputNotebook;
        const seen = textOf(nb.cells[0]);
        expect(seen).toMatch(/^CMDLINE .*runner\.py --non-dumpable/m);
        expect(seen).toMatch(/^ENVIRON denied: PermissionError$/m);
        expect(seen).not.toMatch(/secret-(in|out)|ORRERY_(INPUT|OUTPUT)_URL/);
        expect(done.stderr).not.toContain('secret');
      } finally {
        await server.close();
      }
    },
  );

  itWithJupyter('caps a flood of output, keeping its head and its tail, and says so', async () => {
    // Prepare
    const output = join(freshDir(), 'out.ipynb');
    // Act
    const done = await runRunner([
      '--input',
      input('floods.ipynb'),
      '--output',
      output,
      '--max-output-bytes',
      '100000',
      '--max-notebook-output-bytes',
      '150000',
    ]);
    // Assess
    expect(done.code, done.stderr).toBe(0);
    expect(done.result).toMatchObject({ status: 'COMPLETED', outputTruncated: true });
    expect(statSync(output).size).toBeLessThan(150_000 + 20_000);
    const nb = readNotebook(output);
    const flood = textOf(nb.cells[0]);
    expect(flood).toMatch(/^line 0 x+\n/);
    expect(flood).toMatch(/… output truncated \(\d+(\.\d)? (KB|MB) more\) …/);
    expect(flood).toMatch(/done after \d+ lines\n$/);
    expect(nb.cells[0]?.outputs).toHaveLength(1);
    expect(textOf(nb.cells[1])).toMatch(
      /output truncated \(\d+\.\d KB more\): this text\/html, text\/plain output was over the 97\.7 KB limit/,
    );
    expect(textOf(nb.cells[2])).toBe('last cell\n');
    // The notebook's cap is reached in the last cell: it keeps the head and the tail of what fits.
    expect(textOf(nb.cells[3])).toMatch(/^z+\n… output truncated \(\d+\.\d KB more\) …\nz+\n$/);
    expect(nb.metadata.orrery.outputTruncated).toMatchObject({ outputs: 3, omittedBytes: expect.any(Number) });
    expect(nb.metadata.orrery.outputTruncated!.omittedBytes).toBeGreaterThan(400_000);
  });

  itWithJupyter.each([
    ['text that is not JSON', 'not a notebook {'],
    ['JSON that is not a notebook', '{"hello": "world"}'],
    [
      'a notebook whose cell has no source',
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [{ id: 'x', cell_type: 'code', metadata: {}, outputs: [] }],
      }),
    ],
  ])('rejects %s with exit 2 and writes nothing', async (_name, content) => {
    // Prepare
    const dir = freshDir();
    writeFileSync(join(dir, 'bad.ipynb'), content);
    // Act
    const done = await runRunner(['--input', join(dir, 'bad.ipynb'), '--output', join(dir, 'out.ipynb')]);
    // Assess
    expect(done.code, done.stderr).toBe(2);
    expect(done.result).toMatchObject({ status: 'FAILED', outputWritten: false });
    expect(done.stderr).toContain('bad.ipynb');
    expect(existsSync(join(dir, 'out.ipynb'))).toBe(false);
  });

  itWithJupyter('rejects an input that does not exist with exit 2', async () => {
    // Prepare
    const dir = freshDir();
    // Act
    const done = await runRunner(['--input', join(dir, 'missing.ipynb'), '--output', join(dir, 'out.ipynb')]);
    // Assess
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/cannot read .*missing\.ipynb/);
  });

  itWithJupyter('exits 3 naming the kernel when it is not installed', async () => {
    // Prepare
    const output = join(freshDir(), 'out.ipynb');
    // Act
    const done = await runRunner(['--input', input('ok.ipynb'), '--output', output, '--kernel', 'no-such-kernel']);
    // Assess
    expect(done.code).toBe(3);
    expect(done.result.reason).toContain("kernel 'no-such-kernel' is not installed");
    expect(done.stderr).toContain('ipykernel');
    expect(existsSync(output)).toBe(false);
  });

  itWithJupyter('exits 3 saying what to install when the interpreter has no nbclient', async () => {
    // Prepare: -I -S hides site-packages, so the interpreter has the standard library only.
    const dir = freshDir();
    // Act
    const child = spawnSync(
      PYTHON,
      ['-I', '-S', RUNNER, '--input', input('ok.ipynb'), '--output', join(dir, 'out.ipynb')],
      { encoding: 'utf8' },
    );
    // Assess
    expect(child.status).toBe(3);
    expect(child.stderr).toContain('apt-get install python3-nbclient');
    expect(child.stderr).toContain('pip install nbclient');
  });
});
