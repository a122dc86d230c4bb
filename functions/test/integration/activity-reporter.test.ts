import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const REPORTER_DIR = join(import.meta.dirname, '..', '..', '..', 'images', 'notebook-server');
const REPORTER = join(REPORTER_DIR, 'activity_reporter.py');
const TOKEN = 'osv1.jupyter-alice--lab-27ad1cd5.launch-1.secretsecretsecretsecretsecretsecret';

/** Whether the system Python is here (all the reporter needs); with CI=true its absence is a failure, not a skip. */
const pythonAvailable = (): boolean => {
  const ok = existsSync(PYTHON);
  if (!ok && process.env.CI === 'true') throw new Error(`${PYTHON} is missing and CI=true: apt-get install python3`);
  return ok;
};

/** One answer of the activity route: an HTTP status, or `drop` to close the connection without one. */
type Answer = number | 'drop';

/**
 * Jupyter's status and kernels and the platform's activity route on one 127.0.0.1 port. The route answers
 * from the script in order (200 once it runs out); every request is logged as `GET status`, `GET kernels`
 * or `POST <answer>`, so a retry (a POST with no read of Jupyter before it) shows in the order alone.
 */
const startStandIn = async (script: Answer[]) => {
  const log: string[] = [];
  const bodies: string[] = [];
  const auth: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = req.url ?? '';
    if (req.method === 'GET' && path.startsWith('/user/alice/lab/api/status?no_track_activity=1')) {
      log.push('GET status');
      return res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ last_activity: '2026-01-05T09:00:00.000Z' }));
    }
    if (req.method === 'GET' && path.startsWith('/user/alice/lab/api/kernels?no_track_activity=1')) {
      log.push('GET kernels');
      return res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('[{"execution_state": "idle", "connections": 0}]');
    }
    if (req.method === 'POST' && path === '/api/servers/lab/activity') {
      const answer = script.shift() ?? 200;
      log.push(`POST ${answer}`);
      bodies.push(body);
      auth.push(req.headers.authorization ?? '');
      if (answer === 'drop') return req.socket.destroy();
      return res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
    }
    log.push(`${req.method} ${path} unexpected`);
    return res.writeHead(404).end();
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req
      .setEncoding('utf8')
      .on('data', (c: string) => (body += c))
      .on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    log,
    bodies,
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

type StandIn = Awaited<ReturnType<typeof startStandIn>>;

/** Runs the reporter against the stand-in until it exits by itself; it is killed if it has not after `limitMs`. */
const runReporter = (standIn: StandIn, env: Record<string, string>, limitMs = 20_000) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(PYTHON, [REPORTER], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        JUPYTER_URL: `${standIn.base}/user/alice/lab/`,
        ORRERY_ACTIVITY_URL: `${standIn.base}/api/servers/lab/activity`,
        ORRERY_SERVER_TOKEN: TOKEN,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });

/**
 * Calls the reporter's `post_with_retries` with `post`, `time.monotonic`, `time.sleep` and the random source
 * replaced: a fake clock that only sleeping moves, and route answers from argv ([status, retryAfter] pairs,
 * 503 once they run out). Prints the status it ended with, the waits it chose and the time it took.
 */
const RETRY_DRIVER = `
import json, random, sys
sys.path.insert(0, sys.argv[1])
import activity_reporter as r
answers, deadline = json.loads(sys.argv[2]), float(sys.argv[3])
clock, waits = [0.0], []
def sleep(seconds):
    waits.append(seconds)
    clock[0] += seconds
r.post = lambda report: tuple(answers.pop(0)) if answers else (503, None)
r.time.monotonic = lambda: clock[0]
r.time.sleep = sleep
random.seed(11)
status = r.post_with_retries({"kernels": [], "jupyterReachable": True}, deadline)
print(json.dumps({"status": status, "waits": waits, "elapsed": clock[0], "left": answers}))
`;

const retriesOf = async (
  answers: Array<[number, number | null]>,
  deadline: number,
  env: Record<string, string> = {},
) => {
  const { stdout } = await promisify(execFile)(
    PYTHON,
    ['-c', RETRY_DRIVER, REPORTER_DIR, JSON.stringify(answers), String(deadline)],
    {
      // Importing the script must leave no __pycache__ beside it in the image's folder.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        PYTHONDONTWRITEBYTECODE: '1',
        JUPYTER_URL: 'http://127.0.0.1:9/',
        ORRERY_ACTIVITY_URL: 'http://127.0.0.1:9/a',
        ORRERY_SERVER_TOKEN: TOKEN,
        ...env,
      },
    },
  );
  return JSON.parse(stdout) as { status: number; waits: number[]; elapsed: number; left: unknown[] };
};

describe.skipIf(!pythonAvailable())('the activity reporter', () => {
  let standIn: StandIn | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  it('posts a report again after no answer, a 429 and a 503 until it is taken, never retries a 400 or a 401, and stops at the 401', async () => {
    // Prepare: report 1 meets a dropped connection, 429, 503, then 200; report 2 a 400; report 3 a 401.
    standIn = await startStandIn(['drop', 429, 503, 200, 400, 401]);
    // Act
    const run = await runReporter(standIn, {
      ORRERY_ACTIVITY_INTERVAL: '0.3',
      ORRERY_RETRY_BASE_SECONDS: '0.02',
      ORRERY_RETRY_BUDGET_SECONDS: '15',
    });
    // Assess
    expect(run.code).toBe(0);
    expect(standIn.log).toEqual([
      'GET status',
      'GET kernels',
      'POST drop',
      'POST 429',
      'POST 503',
      'POST 200',
      'GET status',
      'GET kernels',
      'POST 400',
      'GET status',
      'GET kernels',
      'POST 401',
    ]);
    expect(new Set(standIn.bodies.slice(0, 4)).size).toBe(1);
    expect(JSON.parse(standIn.bodies[0]!)).toEqual({
      lastActivity: '2026-01-05T09:00:00.000Z',
      kernels: [{ executionState: 'idle', lastActivity: null, connections: 0 }],
      jupyterReachable: true,
    });
    expect(new Set(standIn.auth)).toEqual(new Set([`token ${TOKEN}`]));
    expect(run.stderr).toMatch(/answered 401; the reporter stops/);
  });

  it('waits at random up to a doubling bound between tries and gives a report up before its budget runs out', async () => {
    // Act: the route answers 503 for ever; base 2 s, budget 150 s (half of the default interval).
    const r = await retriesOf([], 150, { ORRERY_RETRY_BASE_SECONDS: '2' });
    // Assess
    expect(r.status).toBe(503);
    expect(r.waits.length).toBeGreaterThanOrEqual(3);
    for (const [i, w] of r.waits.entries()) expect(w).toBeLessThanOrEqual(Math.min(60, 2 * 2 ** i));
    expect(new Set(r.waits).size).toBe(r.waits.length);
    expect(r.elapsed).toBeLessThanOrEqual(150);
  });

  it('waits at least what a Retry-After asks, and not at all after a 400', async () => {
    // Act
    const throttled = await retriesOf(
      [
        [429, 7],
        [200, null],
      ],
      150,
      { ORRERY_RETRY_BASE_SECONDS: '0.1' },
    );
    const refused = await retriesOf(
      [
        [400, null],
        [200, null],
      ],
      150,
    );
    // Assess
    expect(throttled).toMatchObject({ status: 200, left: [] });
    expect(throttled.waits).toHaveLength(1);
    expect(throttled.waits[0]).toBeGreaterThanOrEqual(7);
    expect(refused).toMatchObject({ status: 400, waits: [], left: [[200, null]] });
  });
});
