import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../aws/table-setup.ts';
import { Cron } from 'croner';
import { loadConfig, type Config } from '../../shared/config.ts';
import { makeApiHandlers } from '../../shared/api-composition.ts';
import { makePlatformDeps, type PlatformDeps } from '../../shared/container.ts';
import { log } from '../../shared/logger.ts';
import { emitMetrics, type EmitMetrics } from '../../shared/metrics.ts';
import { makeRunTasks } from '../../handlers/tasks/run-tasks.ts';
import { makeServerTasks } from '../../handlers/tasks/server-tasks.ts';
import { reportCullBreaker } from '../../handlers/scheduled/cull-idle-handler.ts';
import { abandonOpenRuns } from '../../use-cases/abandon-open-runs.ts';
import { abandonRunningServers } from '../../use-cases/abandon-servers.ts';
import { cullIdle } from '../../use-cases/cull-idle.ts';
import { endServer } from '../../use-cases/end-server.ts';
import { serverExited } from '../../use-cases/stop-server.ts';
import { LocalRunnerCompute } from './local-runner-compute.ts';
import { LocalServerCompute } from './local-server-compute.ts';
import { LocalStepFunctions } from './local-step-functions.ts';
import { dataPaths, secureDataFolder } from './data-folder.ts';
import { extraKernelVariables } from './kernel-environment.ts';
import { startDynalite, startS3rver, type RunningEmulator } from './emulators.ts';
import { LocalIssuer } from './local-issuer.ts';
import { API_PREFIX, makeLocalRequestListener } from './local-http-server.ts';
import { DEFAULT_WEB_DIST, makePortalFiles } from './portal-files.ts';
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
  deps: PlatformDeps;
  workflows: LocalStepFunctions;
  compute: LocalRunnerCompute;
  servers: LocalServerCompute;
  /** The local cron that sweeps idle servers. */
  culler: Cron;
  users: UserDirectory;
  close(): Promise<void>;
}

const TABLE = 'orrery';
const IMAGES = join(import.meta.dirname, '..', '..', '..', '..', 'images');
const RUNNER_SCRIPT = join(IMAGES, 'notebook-runner', 'runner.py');
const REPORTER_SCRIPT = join(IMAGES, 'notebook-server', 'activity_reporter.py');

/**
 * The workflows with their Task states bound to the same task handlers Lambda runs: the run's
 * launch to a local runner, the server launch's steps to local `jupyter server` processes.
 */
const localWorkflows = (deps: () => PlatformDeps, compute: LocalRunnerCompute, pollMs: number) => {
  const tasks = () => makeRunTasks(deps());
  return new LocalStepFunctions(
    {
      prepare: (i) => tasks().prepare(i),
      markStarted: (i) => tasks().markStarted(i),
      launch: (job) => compute.runJob(job),
      finalize: (i) => tasks().finalize(i),
      cleanup: (path) => compute.kill(path.replace(/^.*\/jobs\/orrery-/, '')),
      stop: (runId) => compute.stop(runId),
    },
    { task: (payload) => makeServerTasks(deps())(payload), pollMs },
  );
};

/** The idle culler on the local cron: the same sweep the cloud's EventBridge schedule runs, its breaker reported the same way. */
const startCuller = (deps: PlatformDeps, pattern: string, emit: EmitMetrics) =>
  new Cron(pattern, { protect: true, catch: (err) => log('warn', 'cull sweep failed', { error: (err as Error).message }) }, async () => {
    const sweep = await cullIdle(deps);
    if (sweep.examined || sweep.problems.length) log(sweep.problems.length ? 'warn' : 'info', 'cull sweep', { ...sweep });
    reportCullBreaker(sweep, emit);
  });
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
  secureDataFolder(paths);
  // The port is taken before the emulators start, so answer 503 until the API is wired in.
  let listener: RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'retry-after': '1' }).end(JSON.stringify({ error: 'starting', message: 'Orrery is starting; try again in a moment' }));
  };
  const server = createServer((req, res) => listener(req, res));
  await listen(server, o.port, host);
  const started: RunningEmulator[] = [];
  try {
    const dynamo = await startDynalite(paths.dynamodb).then((e) => (started.push(e), e));
    const port = (server.address() as AddressInfo).port;
    const origin = `http://${host}:${port}`;
    const origins = [...new Set([origin, `http://127.0.0.1:${port}`, `http://localhost:${port}`])];
    const lastS3Port = existsSync(paths.s3Port) ? Number(readFileSync(paths.s3Port, 'utf8')) || 0 : 0;
    const s3 = await startS3rver(paths.s3, BUCKET, origins, lastS3Port).then((e) => (started.push(e), e));
    writeFileSync(paths.s3Port, new URL(s3.endpoint).port);
    const issuer = await LocalIssuer.open(paths.secrets);
    const config = loadConfig({
      ...o.env,
      AWS_REGION: 'us-east-1',
      ORRERY_TABLE: TABLE,
      ORRERY_BUCKET: BUCKET,
      ORRERY_DYNAMODB_ENDPOINT: dynamo.endpoint,
      ORRERY_S3_ENDPOINT: s3.endpoint,
      ORRERY_CURSOR_SECRET: issuer.cursorSecret,
      ORRERY_PUBLIC_API_URL: `${origin}${API_PREFIX}`,
    });
    await ensureTable(new DynamoDBClient({ region: config.region, endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), TABLE);
    const users = new UserDirectory(paths.users, paths.loginCodes, issuer);
    const admin = o.adminUser ?? 'admin';
    const firstStart = Object.keys(users.list()).length === 0;
    if (firstStart) users.upsert(admin, { admin: true, teams: [] });
    const loginFor = Object.entries(users.list()).find(([, u]) => u.admin)?.[0] ?? admin;
    const python = o.env?.ORRERY_PYTHON ?? '/usr/bin/python3';
    const kernelVariables = extraKernelVariables(o.env?.ORRERY_KERNEL_ENV);
    const compute = new LocalRunnerCompute(python, RUNNER_SCRIPT, join(o.home, 'runs'), kernelVariables);
    const servers = new LocalServerCompute({
      python,
      serversDir: join(o.home, 'servers'),
      reporterScript: REPORTER_SCRIPT,
      activityIntervalSeconds: Number(o.env?.ORRERY_ACTIVITY_INTERVAL ?? 60),
      extraEnvironment: kernelVariables,
      onExit: (serverId, launchId, reason) => void serverExited(deps, { serverId, launchId, reason }).catch((err) => log('warn', 'could not record a server exit', { serverId, error: (err as Error).message })),
    });
    const workflows = localWorkflows(() => deps, compute, Number(o.env?.ORRERY_LAUNCH_POLL_MS ?? 250));
    const deps = makePlatformDeps(config, { workflows, compute: servers });
    compute.reapLeftovers();
    servers.reapLeftovers();
    await abandonOpenRuns(deps, 'the local platform stopped while this run was open; start it again');
    await abandonRunningServers(deps, 'the local platform stopped while this server was up; launch it again');
    const culler = startCuller(deps, o.env?.ORRERY_CULL_SCHEDULE ?? '*/2 * * * *', emitMetrics);
    const handlers = makeApiHandlers(deps, { claimNames: config.claimNames });
    // The portal POSTs uploads straight to s3rver's presigned forms, another origin than its own.
    const portal = makePortalFiles(o.env?.ORRERY_WEB_DIST ?? DEFAULT_WEB_DIST, [s3.endpoint]);
    listener = makeLocalRequestListener({ handlers, issuer, users, portal, maxBodyBytes: config.limits.inlineBytes + 2 * 1024 * 1024 });
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
      servers,
      culler,
      users,
      close: async () => {
        culler.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        // Runners and servers record how they ended before the stores they write to go away.
        await compute.stopAll();
        for (const id of servers.running()) {
          const s = await deps.servers.getServer(id);
          if (s) await endServer(deps, s, { by: 'platform', reason: 'the local platform stopped', final: 'STOPPED' });
        }
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
