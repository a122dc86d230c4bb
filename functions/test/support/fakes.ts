import { MemoryBodyStore } from '../../src/adapters/memory/memory-body-store.ts';
import { MemoryNotebookStore } from '../../src/adapters/memory/memory-notebook-store.ts';
import { MemoryRunFiles } from '../../src/adapters/memory/memory-run-files.ts';
import { MemoryRunStore } from '../../src/adapters/memory/memory-run-store.ts';
import type { ServerWorkflows, Workflows } from '../../src/ports/workflows.ts';
import { MemoryServerStore } from '../../src/adapters/memory/memory-server-store.ts';
import { MemorySparkSessionStore } from '../../src/adapters/memory/memory-spark-session-store.ts';
import type { SparkCompute, SparkPlacement, SparkSessionSpec } from '../../src/ports/spark-compute.ts';
import { DEFAULT_SPARK_RULES } from '../../src/domain/spark-sizing.ts';
import type { SparkSettings } from '../../src/use-cases/spark-deps.ts';
import { DEFAULT_CULL_SETTINGS, defaultCullPolicy } from '../../src/domain/cull-policy.ts';
import { DEFAULT_LAUNCH_SETTINGS, type ServerObservation } from '../../src/domain/launch.ts';
import type { Notice, Notifier } from '../../src/ports/notifier.ts';
import type { HomeUsage, ServerCompute, ServerLaunchSpec } from '../../src/ports/server-compute.ts';
import { DEFAULT_PROFILES } from '../../src/config/profiles-config.ts';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../../src/use-cases/server-deps.ts';
import { DEFAULT_RUN_SETTINGS } from '../../src/use-cases/run-deps.ts';
import { HmacCursorCodec } from '../../src/adapters/system/hmac-cursor-codec.ts';
import { HtmlNotebookRenderer } from '../../src/adapters/system/html-notebook-renderer.ts';
import { MemoryRenderCache } from '../../src/adapters/memory/memory-render-cache.ts';
import type { User } from '../../src/domain/user.ts';
import type { Role } from '../../src/domain/role.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { Ids } from '../../src/ports/ids.ts';
import { DEFAULT_LIMITS, type FoliumDeps } from '../../src/use-cases/folium-deps.ts';

/** A clock tests move by hand; starts at a fixed instant. */
export class FakeClock implements Clock {
  constructor(private current = new Date('2026-01-05T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  /** Moves time forward. */
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Ids that count up, shaped like the real ones (`nb-` and 16 base32 characters). */
export class SequentialIds implements Ids {
  private n = 0;
  next(prefix: string): string {
    this.n += 1;
    return `${prefix}-${String(this.n).padStart(16, '0')}`;
  }
  secret(): string {
    this.n += 1;
    return `secret${this.n}`.padEnd(43, 'x');
  }
}

/** Folium deps on memory adapters, a fake clock that ticks a millisecond per read, and counting ids. */
export const memoryDeps = (): FoliumDeps & {
  notebooks: MemoryNotebookStore;
  bodies: MemoryBodyStore;
  clock: FakeClock;
  renderCache: MemoryRenderCache;
} => {
  const clock = new FakeClock();
  const ticking = Object.assign(clock, {
    now: () => {
      const t = FakeClock.prototype.now.call(clock);
      clock.advance(1);
      return t;
    },
  });
  return {
    notebooks: new MemoryNotebookStore(),
    bodies: new MemoryBodyStore(),
    clock: ticking,
    ids: new SequentialIds(),
    cursors: new HmacCursorCodec('test-secret-test-secret'),
    limits: DEFAULT_LIMITS,
    renderer: new HtmlNotebookRenderer(),
    renderCache: new MemoryRenderCache(),
  };
};

/** The people of the access matrix. */
export const people = {
  alice: { id: 'alice', name: 'Alice', teams: ['ads'], admin: false },
  amir: { id: 'amir', name: 'Amir', teams: ['ads'], admin: false },
  bob: { id: 'bob', name: 'Bob', teams: ['risk'], admin: false },
  root: { id: 'root', name: 'Root', teams: [], admin: true },
  loner: { id: 'loner', name: 'Loner', teams: [], admin: false },
} satisfies Record<string, User>;

/** A role of the registry for tests: held by nobody, an hour at most, unless `over` says otherwise. */
export const testRole = (name: string, over: Partial<Role> = {}): Role => ({
  name,
  roleArn: `arn:aws:iam::123456789012:role/${name}`,
  account: 'ads-dev',
  environment: 'dev',
  maxSessionSeconds: 3600,
  teams: [],
  users: [],
  description: '',
  ...over,
});

/** Roles for server tests: `ads-lake` for the ads team (alice, amir), `risk-prod` for risk (bob). */
export const SERVER_TEST_ROLES: Role[] = [
  {
    name: 'ads-lake',
    roleArn: 'arn:aws:iam::123456789012:role/ads-lake',
    account: 'ads-dev',
    environment: 'dev',
    maxSessionSeconds: 7200,
    teams: ['ads'],
    users: [],
    description: 'the ads lake',
  },
  {
    name: 'risk-prod',
    roleArn: 'arn:aws:iam::210987654321:role/risk-prod',
    account: 'risk-prod',
    environment: 'prod',
    maxSessionSeconds: 1800,
    teams: ['risk'],
    users: [],
    description: '',
  },
];

/** Workflows that only remember what they were asked to do. */
export class RecordingWorkflows implements Workflows, ServerWorkflows {
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  readonly launched: Array<{ serverId: string; launchId: string }> = [];
  failStart = false;
  async launchServer(serverId: string, launchId: string): Promise<void> {
    if (this.failStart) throw new Error('Step Functions is unavailable');
    this.launched.push({ serverId, launchId });
  }
  async startRun(runId: string): Promise<void> {
    if (this.failStart) throw new Error('Step Functions is unavailable');
    this.started.push(runId);
  }
  async stopRun(runId: string): Promise<void> {
    this.stopped.push(runId);
  }
}

/** Run deps on memory adapters with recording workflows. */
export const memoryRunDeps = () => ({
  ...memoryDeps(),
  runs: new MemoryRunStore(),
  runFiles: new MemoryRunFiles(),
  workflows: new RecordingWorkflows(),
  runSettings: DEFAULT_RUN_SETTINGS,
  profiles: DEFAULT_PROFILES,
  roles: [] as Role[],
});

/** Compute that records what it was asked and answers observations a test scripts. */
export class ScriptedCompute implements ServerCompute {
  readonly tokens = new Map<string, string>();
  /** The credentials token of each server's latest launch (its sidecar's). */
  readonly credentialsTokens = new Map<string, string>();
  readonly created: ServerLaunchSpec[] = [];
  readonly removed: string[] = [];
  readonly observations = new Map<string, ServerObservation[]>();
  sparkApps: string[] = [];
  async putToken(serverId: string, token: string, credentialsToken: string): Promise<void> {
    this.tokens.set(serverId, token);
    this.credentialsTokens.set(serverId, credentialsToken);
  }
  async create(spec: ServerLaunchSpec): Promise<void> {
    this.created.push(spec);
    const { serverId, owner, name, home } = spec;
    if (!this.homes.has(serverId))
      this.homes.set(serverId, { serverId, owner, name, ...home, location: `${serverId}-home` });
  }
  /** The next scripted observation (the last one repeats); absent when none is scripted. */
  async observe(serverId: string): Promise<ServerObservation> {
    const queue = this.observations.get(serverId) ?? [];
    return (queue.length > 1 ? queue.shift() : queue[0]) ?? { state: 'absent' };
  }
  async remove(serverId: string): Promise<void> {
    this.removed.push(serverId);
  }
  /** Homes the backend holds: kept by stops, gone only with deleteHome. */
  readonly homes = new Map<string, HomeUsage>();
  readonly deletedHomes: string[] = [];
  /** When set, deleteHome fails with it (a Kubernetes API that is down). */
  deleteHomeError?: Error;
  async deleteHome(serverId: string): Promise<void> {
    if (this.deleteHomeError) throw this.deleteHomeError;
    this.deletedHomes.push(serverId);
    this.homes.delete(serverId);
  }
  async listHomes(): Promise<HomeUsage[]> {
    return [...this.homes.values()];
  }
  async describeHome(serverId: string): Promise<string> {
    return `its volume ${serverId}-home`;
  }
  async stopSparkApplications(): Promise<string[]> {
    return this.sparkApps;
  }
}

/** Spark compute that records what it placed and stopped; placement conf and a pod template like EKS's. */
export class RecordingSparkCompute implements SparkCompute {
  readonly started: SparkSessionSpec[] = [];
  readonly stopped: Array<{ serverId: string; sessionId: string }> = [];
  /** When set, startSession fails with it. */
  startError?: Error;
  async startSession(spec: SparkSessionSpec): Promise<SparkPlacement> {
    if (this.startError) throw this.startError;
    this.started.push(spec);
    return {
      conf: { 'spark.master': 'k8s://https://kubernetes.default.svc:443', 'spark.app.id': spec.appId },
      podTemplate: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { 'orrery.dev/session': spec.sessionId } } },
      links: { ui: `${spec.basePath}proxy/4040/jobs/` },
    };
  }
  async stopSession(serverId: string, sessionId: string): Promise<void> {
    this.stopped.push({ serverId, sessionId });
  }
}

/** Spark settings for tests: the `batch` pool at $0.041 a core-hour and a cheaper `spot`, templated links. */
export const TEST_SPARK: SparkSettings = {
  pools: [
    {
      name: 'batch',
      image: 'quay.io/jupyter/pyspark-notebook:2025-06-30',
      allowedImages: [],
      nodeSelector: { 'orrery.dev/pool': 'spark-batch' },
      tolerations: [],
      pricePerCoreHour: 0.041,
    },
    {
      name: 'spot',
      image: 'quay.io/jupyter/pyspark-notebook:2025-06-30',
      allowedImages: [],
      nodeSelector: { 'orrery.dev/pool': 'spark-spot' },
      tolerations: [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }],
      pricePerCoreHour: 0.015,
    },
  ],
  rules: DEFAULT_SPARK_RULES,
  historyUrl: 'https://history.example.com/history/{appId}/jobs/',
  monitoringUrl: '',
};

/** Notices kept for assertions. */
export class RecordingNotifier implements Notifier {
  readonly notices: Notice[] = [];
  async notify(notice: Notice): Promise<void> {
    this.notices.push(notice);
  }
}

/** Server deps on memory adapters: a fake clock that stands still until moved, scripted compute, recorded notices. */
export const memoryServerDeps = (over: Partial<ServerSettings> = {}) => {
  const clock = new FakeClock();
  return {
    servers: new MemoryServerStore(),
    sparkSessions: new MemorySparkSessionStore(),
    sparkCompute: new RecordingSparkCompute(),
    spark: TEST_SPARK,
    compute: new ScriptedCompute(),
    workflows: new RecordingWorkflows(),
    notifier: new RecordingNotifier(),
    clock,
    ids: new SequentialIds(),
    cursors: new HmacCursorCodec('test-secret-test-secret'),
    profiles: DEFAULT_PROFILES,
    roles: SERVER_TEST_ROLES,
    serverSettings: {
      ...DEFAULT_SERVER_SETTINGS,
      launch: DEFAULT_LAUNCH_SETTINGS,
      cull: DEFAULT_CULL_SETTINGS,
      apiUrl: 'http://127.0.0.1:1/api',
      progressWaitMs: 0,
      ...over,
    },
    cullPolicy: defaultCullPolicy(over.cull ?? DEFAULT_CULL_SETTINGS),
  };
};
