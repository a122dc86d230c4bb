import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { ensureTable, makeEmulatorDynamoClient } from '../adapters/aws/table-setup.ts';
import { dataPaths, secureDataFolder } from '../adapters/local/data-folder.ts';
import { startDynalite, startS3rver, type RunningEmulator } from '../adapters/local/emulators.ts';
import { LocalIssuer } from '../adapters/local/local-issuer.ts';
import { LocalRunnerCompute } from '../adapters/local/local-runner-compute.ts';
import { LocalServerCompute } from '../adapters/local/local-server-compute.ts';
import { LocalStepFunctions } from '../adapters/local/local-step-functions.ts';
import { SqliteDataCatalog } from '../adapters/local/sqlite-data-catalog.ts';
import { UserDirectory } from '../adapters/local/user-directory.ts';
import { DynamoDbCredentialLog } from '../adapters/aws/dynamodb-credential-log.ts';
import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbNotificationLog } from '../adapters/aws/dynamodb-notification-log.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { DynamoDbScheduleStore } from '../adapters/aws/dynamodb-schedule-store.ts';
import { DynamoDbSparkSessionStore } from '../adapters/aws/dynamodb-spark-session-store.ts';
import { CronerScheduleCalendar } from '../adapters/local/croner-schedule-calendar.ts';
import { LocalSparkCompute } from '../adapters/local/local-spark-compute.ts';
import { HtmlNotebookRenderer } from '../adapters/system/html-notebook-renderer.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import { loadConfig, type Config } from '../config/config.ts';
import { type LocalSettings, readLocalSettings } from '../config/local-variables.ts';
import { unknownVariables } from '../config/reference.ts';
import { defaultCullPolicy } from '../domain/cull-policy.ts';
import { DEFAULT_CLAIM_NAMES } from '../domain/user.ts';
import type { RouteName } from '../contracts/api-routes.ts';
import { makeAdminHandlers } from '../handlers/http/admin-handlers.ts';
import { makeCredentialHandlers } from '../handlers/http/credential-handlers.ts';
import {
  makeLabCredentialHandlers,
  makeLabNotebookHandlers,
  makeLabServerHandlers,
} from '../handlers/http/lab-handlers.ts';
import { makeNotebookHandlers } from '../handlers/http/notebook-handlers.ts';
import { makeNotificationHandlers } from '../handlers/http/notification-handlers.ts';
import { makeRunHandlers } from '../handlers/http/run-handlers.ts';
import { makeScheduleHandlers } from '../handlers/http/schedule-handlers.ts';
import { makeServerHandlers } from '../handlers/http/server-handlers.ts';
import { makeSparkHandlers } from '../handlers/http/spark-handlers.ts';
import { reportCullBreaker } from '../handlers/scheduled/cull-idle-handler.ts';
import { makeRunTasks } from '../handlers/tasks/run-tasks.ts';
import { makeServerTasks } from '../handlers/tasks/server-tasks.ts';
import type { ApiHandler } from '../http/api-event.ts';
import type { HttpOptions } from '../http/http-handler.ts';
import { log } from '../observability/logger.ts';
import { emitMetrics, type EmitMetrics } from '../observability/metrics.ts';
import { configureObservability } from '../observability/settings.ts';
import type { ServerCompute } from '../ports/server-compute.ts';
import type { SparkCompute } from '../ports/spark-compute.ts';
import type { ServerWorkflows, Workflows } from '../ports/workflows.ts';
import { abandonOpenRuns } from '../use-cases/abandon-open-runs.ts';
import { abandonRunningServers } from '../use-cases/abandon-servers.ts';
import { cullIdle } from '../use-cases/cull-idle.ts';
import { endServer } from '../use-cases/end-server.ts';
import type { CredentialDeps } from '../use-cases/credential-deps.ts';
import type { ListTablesDeps } from '../use-cases/list-tables.ts';
import type { FoliumDeps } from '../use-cases/folium-deps.ts';
import type { NotifyDeps } from '../use-cases/notify-deps.ts';
import type { RunDeps } from '../use-cases/run-deps.ts';
import type { ScheduleCalendar } from '../ports/schedule-calendar.ts';
import type { ScheduleDeps } from '../use-cases/schedule-deps.ts';
import { afterRunEnded, fireDue, startDigests, startSchedules } from './schedule-hooks.ts';
import type { ServerDeps } from '../use-cases/server-deps.ts';
import type { SparkDeps } from '../use-cases/spark-deps.ts';
import { serverExited } from '../use-cases/stop-server.ts';
import { makeBucketPorts } from './bucket-ports.ts';
import { clientOptions, cursorCodec, documentClient, makeNotifier, notifyDestinationNames } from './cloud-ports.ts';
import { makeGlueCatalog, makeStsBroker } from './credentials.ts';
import { makeSystemHandlers } from './system.ts';
import type { ListNotebooksDeps } from '../use-cases/list-notebooks.ts';
import { listingCacheOf } from '../use-cases/listing-cache.ts';
import { finishIndexing } from '../use-cases/advance-indexing.ts';

// Local mode's wiring: the emulators, the local compute and workflows, and every use case's deps in one process.
// The HTTP server in front of it is an entry point (handlers/local/local-platform.ts), as the Lambdas are.

/** Every port of every use case: Folium, runs, servers, Spark, credentials, notifications and the data catalogs. */
export type PlatformDeps = FoliumDeps &
  Pick<ListNotebooksDeps, 'listingCache'> &
  RunDeps &
  ScheduleDeps &
  ServerDeps &
  SparkDeps &
  CredentialDeps &
  Pick<NotifyDeps, 'notificationLog' | 'notifySettings'> &
  Pick<ListTablesDeps, 'catalogs' | 'tableTemplates'>;

/** What differs between the cloud and local mode besides endpoints: workflows and compute. */
export interface ModeAdapters {
  workflows: Workflows & ServerWorkflows;
  compute: ServerCompute;
  /** Where Spark executors run; default: inside the kernel (`local[N]`). */
  sparkCompute?: SparkCompute;
  /** The folder of SQLite files the data-tables panel lists (local mode); none: no SQLite catalog. */
  tablesDir?: string;
  /** What delivers schedules' due times; default: croner, firing into these deps. */
  calendar?: ScheduleCalendar;
}

/**
 * Wires every port at once, for local mode (one process serves every route, task and the culler): the same
 * adapters the Lambdas use, over the emulators' endpoints, with the mode's workflows and compute, and the bucket's
 * ports and the renderer built up front (a long-lived process has no cold start to spare them).
 */
export const makePlatformDeps = (
  config: Config,
  { workflows, compute, sparkCompute, tablesDir, calendar }: ModeAdapters,
): PlatformDeps => {
  const doc = documentClient(config);
  const clock = new SystemClock();
  const deps: PlatformDeps = {
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    // No settle window: dynalite writes a table's indexes before it answers the write.
    listingCache: listingCacheOf({ ...config.listingCache, settleMs: 0 }, clock),
    runs: new DynamoDbRunStore(doc, config.table),
    servers: new DynamoDbServerStore(doc, config.table),
    sparkSessions: new DynamoDbSparkSessionStore(doc, config.table),
    schedules: new DynamoDbScheduleStore(doc, config.table),
    calendar: calendar ?? new CronerScheduleCalendar((due) => fireDue(deps, due)),
    destinations: notifyDestinationNames(config),
    scheduleSettings: config.scheduleSettings,
    credentialLog: new DynamoDbCredentialLog(doc, config.table),
    ...makeBucketPorts(clientOptions(config), config.bucket),
    renderer: new HtmlNotebookRenderer(),
    workflows,
    compute,
    sparkCompute: sparkCompute ?? new LocalSparkCompute(),
    spark: config.spark,
    // Locally a destination's URL comes from its `urlEnv`, never Secrets Manager.
    notifier: makeNotifier(config, doc, null),
    notificationLog: new DynamoDbNotificationLog(doc, config.table),
    notifySettings: config.notify,
    clock,
    ids: new RandomIds(),
    cursors: cursorCodec(config),
    limits: config.limits,
    runSettings: config.runSettings,
    profiles: config.profiles,
    roles: config.roles,
    // The developer's own AWS credentials (the SDK's default chain) are the broker; without any, only issuing
    // credentials fails (503, saying what to set).
    broker: makeStsBroker(config.region),
    // Locally the developer's credentials may be long-term keys (no chaining): each role's own maximum, unless set.
    sessionCapSeconds: config.credentialSessionCapSeconds,
    serverSettings: config.serverSettings,
    cullPolicy: defaultCullPolicy(config.serverSettings.cull),
    // The SQLite files of the tables folder; Glue too once roles are configured (listed with a server role's keys).
    catalogs: [
      ...(tablesDir ? [new SqliteDataCatalog(tablesDir)] : []),
      ...(config.roles.length ? [makeGlueCatalog(config.region)] : []),
    ],
    tableTemplates: config.tableTemplates,
  };
  return deps;
};

/**
 * Every route's handler, by name: what local mode serves from one process. The cloud's Lambdas do not come
 * through here: each route group has its own module in composition/ that builds only its handlers and adapters,
 * so one group's dependencies never weigh on another's cold start.
 */
export const makeApiHandlers = (deps: PlatformDeps, options: HttpOptions): Record<RouteName, ApiHandler> => ({
  ...makeSystemHandlers(deps, options),
  ...makeNotebookHandlers(deps, options),
  ...makeRunHandlers(deps, options),
  ...makeScheduleHandlers(deps, options),
  ...makeNotificationHandlers(deps, options),
  ...makeServerHandlers(deps, options),
  ...makeSparkHandlers(deps, options),
  ...makeAdminHandlers(deps, options),
  ...makeCredentialHandlers(deps, options),
  ...makeLabServerHandlers(deps, options),
  ...makeLabNotebookHandlers(deps, options),
  ...makeLabCredentialHandlers(deps, options),
});

/** Where local mode keeps its data and how its server is reached. */
export interface LocalServicesOptions {
  home: string;
  /** The origin the local HTTP server answers on, e.g. http://127.0.0.1:3000. */
  origin: string;
  /** The API's public URL (the origin and the API's prefix); servers report their activity to it. */
  apiUrl: string;
  /** The admin user made on first start, who gets the one-time login link. */
  adminUser?: string;
  /** Extra environment (limits, claim names) read the way Lambda reads its own. */
  env?: Record<string, string | undefined>;
}

/** Local mode wired and running: what the HTTP server serves, and the parts tests and scripts reach into. */
export interface LocalServices {
  config: Config;
  /** Local mode's own settings (ORRERY_PYTHON, ORRERY_WEB_DIST, …), checked. */
  settings: LocalSettings;
  deps: PlatformDeps;
  handlers: Record<RouteName, ApiHandler>;
  workflows: LocalStepFunctions;
  compute: LocalRunnerCompute;
  servers: LocalServerCompute;
  /** The local cron that sweeps idle servers. */
  culler: Cron;
  /** The croner calendar that fires schedules' due times. */
  calendar: CronerScheduleCalendar;
  users: UserDirectory;
  issuer: LocalIssuer;
  /** Where s3rver answers; the portal POSTs uploads there. */
  s3Endpoint: string;
  firstStart: boolean;
  /** The admin the login link is for. */
  loginFor: string;
  /** Stops the culler, the runners and servers (recording how they ended), the workflows, then the emulators. */
  close(): Promise<void>;
}

const TABLE = 'orrery';
// The claim names local tokens carry (adapters/local/user-directory.ts): another name would lock everyone out.
const LOCAL_CLAIMS = {
  ORRERY_CLAIM_USER: DEFAULT_CLAIM_NAMES.user,
  ORRERY_CLAIM_NAME: DEFAULT_CLAIM_NAMES.name,
  ORRERY_CLAIM_TEAMS: DEFAULT_CLAIM_NAMES.teams,
  ORRERY_ADMIN_GROUP: DEFAULT_CLAIM_NAMES.adminGroup,
  ORRERY_ADMIN_CLAIM: undefined,
};
const BUCKET = 'orrery-notebooks';
const IMAGES = join(import.meta.dirname, '..', '..', '..', 'images');
const RUNNER_SCRIPT = join(IMAGES, 'notebook-runner', 'runner.py');
const REPORTER_SCRIPT = join(IMAGES, 'notebook-server', 'activity_reporter.py');
const WARM_SERVER_SCRIPT = join(IMAGES, 'notebook-server', 'warm_server.py');
// The JupyterLab local servers serve (lab/build) and the orrery_lab server extension (lab/orrery_lab).
const LAB_DIR = join(import.meta.dirname, '..', '..', '..', 'lab');

/**
 * The workflows with their Task states bound to the same task handlers Lambda runs: the run's
 * launch to a local runner, the server launch's steps to local `jupyter server` processes.
 */
const localWorkflows = (deps: () => PlatformDeps, compute: LocalRunnerCompute) => {
  const tasks = () => makeRunTasks(deps(), undefined, (run) => afterRunEnded(deps(), run));
  return new LocalStepFunctions(
    {
      prepare: (i) => tasks().prepare(i),
      markStarted: (i) => tasks().markStarted(i),
      launch: (job) => compute.runJob(job),
      finalize: (i) => tasks().finalize(i),
      cleanup: (path) => compute.kill(path.replace(/^.*\/jobs\/orrery-/, '')),
      stop: (runId) => compute.stop(runId),
    },
    // No Wait between a launch's looks: each look waits for Jupyter itself (the compute's `lookWaitMs`).
    { task: (payload) => makeServerTasks(deps())(payload), pollMs: 0 },
  );
};

// Schedules' due times on croner, handed to the same fire use case the cloud's fire function runs.
const localCalendar = (deps: () => PlatformDeps) => new CronerScheduleCalendar((due) => fireDue(deps(), due));

// The idle culler on the local cron: the same sweep the cloud's EventBridge schedule runs, its breaker reported alike.
const startCuller = (deps: PlatformDeps, pattern: string, emit: EmitMetrics) => {
  const failed = (err: unknown) => log('warn', 'cull sweep failed', { error: (err as Error).message });
  return new Cron(pattern, { protect: true, catch: failed }, async () => {
    const sweep = await cullIdle(deps);
    if (sweep.examined || sweep.problems.length) {
      log(sweep.problems.length ? 'warn' : 'info', 'cull sweep', { ...sweep });
    }
    reportCullBreaker(sweep, emit);
  });
};

// dynalite and s3rver persisted in the data folder (s3rver on the port it had last time, so stored URLs hold).
const startEmulators = async (paths: ReturnType<typeof dataPaths>, origin: string, started: RunningEmulator[]) => {
  const dynamo = await startDynalite(paths.dynamodb);
  started.push(dynamo);
  const port = new URL(origin).port;
  const origins = [...new Set([origin, `http://127.0.0.1:${port}`, `http://localhost:${port}`])];
  const lastS3Port = existsSync(paths.s3Port) ? Number(readFileSync(paths.s3Port, 'utf8')) || 0 : 0;
  const s3 = await startS3rver(paths.s3, BUCKET, origins, lastS3Port);
  started.push(s3);
  writeFileSync(paths.s3Port, new URL(s3.endpoint).port);
  return { dynamo, s3 };
};

// The users file, with the admin made on first start; the login link is for the first admin it holds.
const openUsers = (paths: ReturnType<typeof dataPaths>, issuer: LocalIssuer, adminUser = 'admin') => {
  const users = new UserDirectory(paths.users, paths.loginCodes, issuer);
  const firstStart = Object.keys(users.list()).length === 0;
  if (firstStart) users.upsert(adminUser, { admin: true, teams: [] });
  const loginFor = Object.entries(users.list()).find(([, u]) => u.admin)?.[0] ?? adminUser;
  return { users, firstStart, loginFor };
};

// Runs and servers as local processes under the data folder; a server that exits is recorded as ended.
const localCompute = (o: LocalServicesOptions, settings: LocalSettings, deps: () => PlatformDeps) => {
  const { python, kernelVariables, warmRunners } = settings;
  const compute = new LocalRunnerCompute(python, RUNNER_SCRIPT, join(o.home, 'runs'), kernelVariables, warmRunners);
  const servers = new LocalServerCompute({
    python,
    serversDir: join(o.home, 'servers'),
    reporterScript: REPORTER_SCRIPT,
    credentialsSidecarDir: join(IMAGES, 'notebook-runner'),
    labDir: LAB_DIR,
    notebookPackageDir: join(IMAGES, 'notebook-server'),
    activityIntervalSeconds: settings.activityIntervalSeconds,
    lookWaitMs: settings.launchPollMs,
    warmServers: { size: settings.warmServers, script: WARM_SERVER_SCRIPT },
    extraEnvironment: kernelVariables,
    onExit: (serverId, launchId, reason) =>
      void serverExited(deps(), { serverId, launchId, reason }).catch((err) =>
        log('warn', 'could not record a server exit', { serverId, error: (err as Error).message }),
      ),
  });
  return { compute, servers };
};

/**
 * Checks the whole environment through the configuration schema before anything starts, so a bad value stops
 * start-up naming its variable with no emulator or data file made: local mode's own settings, then the functions'
 * variables with what local mode sets itself. Logging follows ORRERY_LOG_LEVEL from here on; an ORRERY_* name
 * that nothing reads is logged with the setting it was probably meant to be.
 */
const checkEnvironment = (o: LocalServicesOptions) => {
  const settings = readLocalSettings(o.env ?? {});
  const env = {
    ...o.env,
    ...LOCAL_CLAIMS,
    AWS_REGION: 'us-east-1',
    ORRERY_TABLE: TABLE,
    ORRERY_BUCKET: BUCKET,
    ORRERY_PUBLIC_API_URL: o.apiUrl,
    ORRERY_PORTAL_URL: o.origin,
  };
  configureObservability(loadConfig(env).observability);
  for (const { name, meant } of unknownVariables(o.env ?? {})) {
    log('warn', `${name} is not a setting Orrery reads${meant ? `: did you mean ${meant}?` : ''}`, { variable: name });
  }
  return { settings, env };
};

/**
 * Starts local mode's services on one machine: the emulators, the table made on first start, the local JWT
 * issuer and users, the local runners, servers and workflows, and the culler; runs and servers left open by
 * a previous process are closed first. Emulators already started are stopped again if a later step fails.
 */
export const startLocalServices = async (o: LocalServicesOptions): Promise<LocalServices> => {
  const { settings, env } = checkEnvironment(o);
  const paths = dataPaths(o.home);
  secureDataFolder(paths);
  const started: RunningEmulator[] = [];
  try {
    const { dynamo, s3 } = await startEmulators(paths, o.origin, started);
    const issuer = await LocalIssuer.open(paths.secrets);
    const config = loadConfig({
      ...env,
      ORRERY_DYNAMODB_ENDPOINT: dynamo.endpoint,
      ORRERY_S3_ENDPOINT: s3.endpoint,
      ORRERY_CURSOR_SECRET: issuer.cursorSecret,
    });
    await ensureTable(makeEmulatorDynamoClient(config.region, dynamo.endpoint), TABLE);
    // Notebooks of a data folder from before the current listing layout are brought up to it (and listing entries
    // a crash left pending rewritten) before anything else starts.
    const notebooks = new DynamoDbNotebookStore(documentClient(config), TABLE, { repairAfterMs: 0 });
    const indexed = await finishIndexing({ notebooks });
    if (indexed) log('info', 'indexed notebooks for listings', { indexed });
    const { users, firstStart, loginFor } = openUsers(paths, issuer, o.adminUser);
    const { compute, servers } = localCompute(o, settings, () => deps);
    const workflows = localWorkflows(() => deps, compute);
    const tablesDir = settings.tablesDir ?? join(o.home, 'tables');
    mkdirSync(tablesDir, { recursive: true });
    const calendar = localCalendar(() => deps);
    const deps = makePlatformDeps(config, { workflows, compute: servers, tablesDir, calendar });
    compute.reapLeftovers();
    servers.reapLeftovers();
    // Not awaited: runs start cold until the runners are ready.
    void compute.startWarmRunners();
    servers.startWarmServers();
    await abandonOpenRuns(deps, 'the local platform stopped while this run was open; start it again');
    await abandonRunningServers(deps, 'the local platform stopped while this server was up; launch it again');
    const culler = startCuller(deps, settings.cullSchedule, emitMetrics);
    await startSchedules(deps);
    const digests = startDigests(deps);
    const handlers = makeApiHandlers(deps, { claimNames: config.claimNames });
    const close = async () => {
      culler.stop();
      calendar.stop();
      digests.stop();
      // Runners and servers record how they ended before the stores they write to go away.
      await Promise.all([compute.stopAll(), servers.closeWarmServers()]);
      for (const id of servers.running()) {
        const s = await deps.servers.getServer(id);
        if (s) await endServer(deps, s, { by: 'platform', reason: 'the local platform stopped', final: 'STOPPED' });
      }
      await workflows.idle();
      for (const e of started.reverse()) await e.close();
    };
    const s3Endpoint = s3.endpoint;
    const parts = { config, settings, deps, handlers, workflows, compute, servers, culler, calendar, users, issuer };
    return { ...parts, s3Endpoint, firstStart, loginFor, close };
  } catch (err) {
    for (const e of started.reverse()) await e.close();
    throw err;
  }
};
