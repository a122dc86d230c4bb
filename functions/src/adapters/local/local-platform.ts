import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../aws/table-setup.ts';
import { loadConfig, type Config } from '../../shared/config.ts';
import { makeApiHandlers, makeRunDeps } from '../../shared/container.ts';
import { makeRunTasks } from '../../handlers/tasks/run-tasks.ts';
import { abandonOpenRuns } from '../../use-cases/abandon-open-runs.ts';
import type { RunDeps } from '../../use-cases/run-deps.ts';
import { LocalRunnerCompute } from './local-runner-compute.ts';
import { LocalStepFunctions } from './local-step-functions.ts';
import { dataPaths } from './data-folder.ts';
import { startDynalite, startS3rver, type RunningEmulator } from './emulators.ts';
import { LocalIssuer } from './local-issuer.ts';
import { API_PREFIX, makeLocalRequestListener } from './local-http-server.ts';
import { UserDirectory } from './user-directory.ts';

/** How to start the local platform. */
export interface LocalPlatformOptions {
  home: string;
  port: number;
  host?: string;
  /** The admin user made on first start, who gets the one-time login link. */
  adminUser?: string;
  /** Extra environment (limits, claim names) read the way Lambda reads its own. */
  env?: Record<string, string | undefined>;
}

/** A running local platform. */
export interface LocalPlatform {
  url: string;
  apiUrl: string;
  loginLink: string;
  firstStart: boolean;
  config: Config;
  deps: RunDeps;
  workflows: LocalStepFunctions;
  compute: LocalRunnerCompute;
  users: UserDirectory;
  close(): Promise<void>;
}

const TABLE = 'orrery';
const RUNNER_SCRIPT = join(import.meta.dirname, '..', '..', '..', '..', 'images', 'notebook-runner', 'runner.py');

/** The run workflow with its Task states bound to the same task handlers Lambda runs, and the launch to a local runner. */
const localWorkflows = (deps: () => RunDeps, compute: LocalRunnerCompute) => {
  const tasks = () => makeRunTasks(deps());
  return new LocalStepFunctions({
    prepare: (i) => tasks().prepare(i),
    markStarted: (i) => tasks().markStarted(i),
    launch: (job) => compute.runJob(job),
    finalize: (i) => tasks().finalize(i),
    cleanup: (path) => compute.kill(path.replace(/^.*\/jobs\/orrery-/, '')),
    stop: (runId) => compute.stop(runId),
  });
};
const BUCKET = 'orrery-notebooks';

/** Listens first, so a busy port is reported before anything else starts. */
const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });

/**
 * Starts the whole platform on one machine: dynalite and s3rver persisted in the data folder,
 * the table made on first start, the local JWT issuer, and the very handlers Lambda runs
 * behind an HTTP server that builds API Gateway events.
 */
export const startLocalPlatform = async (o: LocalPlatformOptions): Promise<LocalPlatform> => {
  const host = o.host ?? '127.0.0.1';
  const paths = dataPaths(o.home);
  // The port is taken before the emulators start, so answer 503 until the API is wired in.
  let listener: RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: 'starting', message: 'Orrery is starting; try again in a moment' }));
  };
  const server = createServer((req, res) => listener(req, res));
  await listen(server, o.port, host);
  const started: RunningEmulator[] = [];
  try {
    const dynamo = await startDynalite(paths.dynamodb).then((e) => (started.push(e), e));
    const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
    const s3 = await startS3rver(paths.s3, BUCKET, origin).then((e) => (started.push(e), e));
    const issuer = await LocalIssuer.open(paths.secrets);
    const config = loadConfig({
      ...o.env,
      AWS_REGION: 'us-east-1',
      ORRERY_TABLE: TABLE,
      ORRERY_BUCKET: BUCKET,
      ORRERY_DYNAMODB_ENDPOINT: dynamo.endpoint,
      ORRERY_S3_ENDPOINT: s3.endpoint,
      ORRERY_CURSOR_SECRET: issuer.cursorSecret,
    });
    await ensureTable(new DynamoDBClient({ region: config.region, endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), TABLE);
    const users = new UserDirectory(paths.users, paths.loginCodes, issuer);
    const admin = o.adminUser ?? 'admin';
    const firstStart = Object.keys(users.list()).length === 0;
    if (firstStart) users.upsert(admin, { admin: true, teams: [] });
    const loginFor = Object.entries(users.list()).find(([, u]) => u.admin)?.[0] ?? admin;
    const compute = new LocalRunnerCompute(o.env?.ORRERY_PYTHON ?? '/usr/bin/python3', RUNNER_SCRIPT, join(o.home, 'runs'));
    const workflows = localWorkflows(() => deps, compute);
    const deps = makeRunDeps(config, workflows);
    compute.reapLeftovers();
    await abandonOpenRuns(deps, 'the local platform stopped while this run was open; start it again');
    const handlers = makeApiHandlers(deps, { claimNames: config.claimNames });
    listener = makeLocalRequestListener({ handlers, issuer, users, maxBodyBytes: config.limits.inlineBytes + 2 * 1024 * 1024 });
    const url = origin;
    return {
      url,
      apiUrl: `${url}${API_PREFIX}`,
      loginLink: `${url}/login#code=${users.createLoginCode(loginFor, new Date())}`,
      firstStart,
      config,
      deps,
      workflows,
      compute,
      users,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        // Runners record how they ended before the stores they write to go away.
        await compute.stopAll();
        await workflows.idle();
        for (const e of started.reverse()) await e.close();
      },
    };
  } catch (err) {
    server.close();
    for (const e of started.reverse()) await e.close();
    throw err;
  }
};
