// The cost model's inputs and the work they make: what is deployed (Inventory), how it is used (Usage), the
// workflows' shapes from the ASL (Workflows), and the billable work of a month, a run or a launch (Demand). Pure:
// no files, no CDK; lines.ts prices a Demand with the table in prices.ts.

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;
/** Days in that month. */
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
/** Kilobytes in a gigabyte, as AWS bills data. */
export const KB_PER_GB = 1024 * 1024;

/** Orrery's Lambda functions, by the part of the platform they serve. */
export const FUNCTION_KEYS = ['api', 'prepare', 'markStarted', 'finalize', 'serverTasks', 'culler', 'fire'] as const;
/** One of FUNCTION_KEYS. */
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

/** What a configuration deploys (inventory.ts reads it from the CDK app). */
export interface Inventory {
  region: string;
  /** Each function group: how many functions, their mean memory, and the share of them placed in the VPC. */
  functions: Record<FunctionKey, { count: number; memoryMb: number; vpcShare: number }>;
  alarms: number;
  /** Metrics the alarms read: a metric math alarm is billed per metric. */
  alarmMetrics: number;
  dashboards: number;
  kmsKeys: number;
  secrets: number;
  /** The web ACL Orrery makes (its rule count), or null when the company's is used. */
  webAclRules: number | null;
  cognitoPlan: 'LITE' | 'ESSENTIALS' | 'PLUS' | null;
  /** Schedules that fire whatever the users do (the culler, the digest) and the function each invokes. */
  fixedSchedules: { name: string; perMonth: number; target: FunctionKey }[];
  logRetentionDays: { lambda: number; api: number; states: number };
  /** Distinct pool kinds in the profiles: the culler publishes ActiveServers for each that has servers. */
  poolKinds: number;
  vpc: boolean;
}

/** How the platform is used: every field is a flag of `npm run cost` (flags.ts documents each). */
export interface Usage {
  users: number;
  runsPerDay: number;
  /** Of runsPerDay, those a schedule fires (the rest start through the API). */
  scheduledRunsPerDay: number;
  runMinutes: number;
  serverHoursPerUserPerDay: number;
  launchesPerUserPerDay: number;
  launchSeconds: number;
  apiRequestsPerUserPerDay: number;
  pageViewsPerUserPerDay: number;
  schedules: number;
  notebooks: number;
  versionsPerNotebook: number;
  notebookKb: number;
  apiMs: number;
  logKbPerInvocation: number;
  coldStartsPerFunctionPerDay: number;
  natGateways: number;
}

/** The defaults `npm run cost` assumes (docs/cost.md explains each). */
export const DEFAULT_USAGE: Usage = {
  users: 50,
  runsPerDay: 200,
  scheduledRunsPerDay: 50,
  runMinutes: 5,
  serverHoursPerUserPerDay: 4,
  launchesPerUserPerDay: 1,
  launchSeconds: 60,
  apiRequestsPerUserPerDay: 300,
  pageViewsPerUserPerDay: 20,
  schedules: 20,
  notebooks: 2000,
  versionsPerNotebook: 5,
  notebookKb: 200,
  apiMs: 120,
  logKbPerInvocation: 1.5,
  coldStartsPerFunctionPerDay: 24,
  natGateways: 1,
};

/** A platform with nobody on it: no users, runs, schedules or notebooks; only what runs on its own. */
export const idleUsage = (usage: Usage): Usage => ({
  ...usage,
  users: 0,
  runsPerDay: 0,
  scheduledRunsPerDay: 0,
  schedules: 0,
  notebooks: 0,
});

/** A workflow's path in billable units: states entered, the Lambda calls among them, log events. */
export interface WorkflowPath {
  transitions: number;
  lambdaTasks: number;
  logEvents: number;
}

/** The two workflows as the ASL files shape them (workflows.ts reads them). */
export interface Workflows {
  /** A run that completes: constant, whatever the run's length (waiting is one Task state). */
  run: WorkflowPath;
  /** A launch that polls once, and what each further poll adds. */
  launch: { once: WorkflowPath; poll: WorkflowPath; pollSeconds: number };
}

/** The billable work of a month, a run or a launch (storage is priced apart: it is state, not work). */
export interface Demand {
  apiRequests: number;
  cdnRequests: number;
  cdnGb: number;
  invocations: Record<FunctionKey, number>;
  gbSeconds: Record<FunctionKey, number>;
  transitions: { run: number; launch: number };
  wru: number;
  rru: number;
  s3Put: number;
  s3Get: number;
  schedulerFixed: number;
  schedulerDue: number;
  secretCalls: number;
  logGb: { lambda: number; api: number; states: number };
  traces: number;
  natGb: number;
}

const perFunction = (value = 0) =>
  Object.fromEntries(FUNCTION_KEYS.map((k) => [k, value])) as Record<FunctionKey, number>;

/** No work at all. */
export const emptyDemand = (): Demand => ({
  apiRequests: 0,
  cdnRequests: 0,
  cdnGb: 0,
  invocations: perFunction(),
  gbSeconds: perFunction(),
  transitions: { run: 0, launch: 0 },
  wru: 0,
  rru: 0,
  s3Put: 0,
  s3Get: 0,
  schedulerFixed: 0,
  schedulerDue: 0,
  secretCalls: 0,
  logGb: { lambda: 0, api: 0, states: 0 },
  traces: 0,
  natGb: 0,
});

/** `b` times `k` added into `a` (which it returns): demands add up field by field. */
export const addInto = (a: Demand, b: Demand, k = 1): Demand => {
  for (const key of Object.keys(a) as (keyof Demand)[]) {
    const [x, y] = [a[key], b[key]];
    if (typeof x === 'number') (a as unknown as Record<string, number>)[key] = x + (y as number) * k;
    else
      for (const sub of Object.keys(x)) (x as Record<string, number>)[sub]! += (y as Record<string, number>)[sub]! * k;
  }
  return a;
};
