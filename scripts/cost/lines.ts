// Demand and state priced into lines: Orrery's own parts, what users' servers and runs cost on EKS, and the VPC's
// NAT gateways when the functions are placed in one; then the month, the idle platform and the cost of one run.
import {
  DAYS_PER_MONTH,
  type Demand,
  FUNCTION_KEYS,
  type FunctionKey,
  HOURS_PER_MONTH,
  idleUsage,
  type Inventory,
  KB_PER_GB,
  type Usage,
  type Workflows,
} from './model.ts';
import { type PriceName, PRICES, unitUsd } from './prices.ts';
import { launchDemand, monthDemand, RUN_ITEM_KB, runDemand } from './work.ts';

/** Where a line belongs: Orrery's own parts, the cluster's, or the configured VPC's. */
export type Section = 'own' | 'eks' | 'network';

/** One priced line: quantity × unit price = monthly (or per-run) USD. */
export interface Line {
  section: Section;
  service: string;
  item: string;
  quantity: number;
  /** The unit price as the pricing page states it, e.g. "$1.00 per 1M HTTP API requests". */
  price: string;
  unitUsd: number;
  usd: number;
}

/** The profiles servers and runs use, as the EKS part needs them. */
export interface ComputeProfiles {
  server: { slug: string; hourlyPrice: number; homeGb: number };
  run: { slug: string; hourlyPrice: number };
}

/** A price as stated: "$1.00 per 1M HTTP API requests", "$0.023 per GB-month". */
export const priceText = (usd: number, per: number, unit: string): string => {
  // Whole cents as cents ($0.20, $5.00); smaller prices as stated ($0.025, $0.0000133334).
  const wholeCents = Math.abs(usd * 100 - Math.round(usd * 100)) < 1e-9;
  const amount = `$${wholeCents ? usd.toFixed(2) : Number(usd.toPrecision(6))}`;
  if (per === 1) return `${amount} per ${unit}`;
  return `${amount} per ${per >= 1e6 ? `${per / 1e6}M` : per.toLocaleString('en-US')} ${unit}`;
};

const line = (section: Section, service: string, item: string, quantity: number, name: PriceName): Line => ({
  section,
  service,
  item,
  quantity,
  price: priceText(PRICES[name].usd, PRICES[name].per, PRICES[name].unit),
  unitUsd: unitUsd(name),
  usd: quantity * unitUsd(name),
});

const LAMBDA_GROUPS: Record<FunctionKey, string> = {
  api: 'API routes',
  prepare: 'run: prepare',
  markStarted: 'run: mark started',
  finalize: 'run: finalize',
  serverTasks: 'server launch steps',
  culler: 'idle culler',
  fire: 'schedule fires, digest',
};

/** The lines of work done: requests, compute, transitions, units, invocations, logs and traces. */
export const workLines = (d: Demand, inv: Inventory): Line[] => {
  const own = (service: string, item: string, quantity: number, name: PriceName) =>
    line('own', service, item, quantity, name);
  const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
  return [
    own('API Gateway', 'HTTP API requests', d.apiRequests, 'apiRequest'),
    own('Lambda', 'requests, all functions', sum(d.invocations), 'lambdaRequest'),
    ...FUNCTION_KEYS.map((key) => {
      const { count, memoryMb } = inv.functions[key];
      const what = `compute: ${LAMBDA_GROUPS[key]} (${count} × ${memoryMb} MB, arm64)`;
      return own('Lambda', what, d.gbSeconds[key], 'lambdaArmGbSecond');
    }),
    own('Step Functions', 'run-notebook transitions', d.transitions.run, 'stateTransition'),
    own('Step Functions', 'launch-server transitions', d.transitions.launch, 'stateTransition'),
    own('DynamoDB', 'write request units', d.wru, 'dynamoWrite'),
    own('DynamoDB', 'read request units', d.rru, 'dynamoRead'),
    own('S3', 'PUT/POST requests', d.s3Put, 's3Put'),
    own('S3', 'GET/HEAD requests', d.s3Get, 's3Get'),
    own('CloudFront', 'HTTPS requests', d.cdnRequests, 'cdnRequest'),
    own('CloudFront', 'data transfer out', d.cdnGb, 'cdnTransfer'),
    ...(inv.webAclRules === null ? [] : [own('WAF', 'requests inspected', d.cdnRequests, 'wafRequest')]),
    own('EventBridge Scheduler', 'fixed schedules (culler, digest)', d.schedulerFixed, 'schedulerInvocation'),
    own('EventBridge Scheduler', "notebook schedules' due times", d.schedulerDue, 'schedulerInvocation'),
    own('Secrets Manager', 'reads at cold starts', d.secretCalls, 'secretCall'),
    own('CloudWatch', 'logs ingested (Lambda, API access, Step Functions)', sum(d.logGb), 'logIngestion'),
    own('X-Ray', 'traces recorded', d.traces, 'xrayTrace'),
    ...(inv.vpc ? [line('network', 'VPC', 'NAT data processed (functions in the VPC)', d.natGb, 'natData')] : []),
  ];
};

/** What is kept: run records and outputs for a year (outputs expire then), notebooks, rendered pages, the portal. */
export const RUN_HISTORY_DAYS = 365;
const PORTAL_KB = 5 * 1024;

/** Table and bucket sizes in GB that `usage` keeps in steady state. */
export const storedGb = (usage: Usage) => {
  const runsKept = usage.runsPerDay * RUN_HISTORY_DAYS;
  const versions = usage.notebooks * usage.versionsPerNotebook;
  const tableKb =
    usage.notebooks * 5 + // a notebook's 1 KB item in the table and its four indexes
    versions + // a version's 1 KB item, not indexed
    runsKept * RUN_ITEM_KB * 4 + // a run in the table and three indexes
    usage.users * 3 + // a server in the table and two indexes
    usage.schedules * 4 + // a schedule in the table and three indexes
    usage.scheduledRunsPerDay * RUN_HISTORY_DAYS; // a fire's 0.5 KB item, in the table and its queue index
  // Bodies per version; each run's input (the notebook) and output (with outputs, about twice that); a rendered page.
  const bucketKb = (versions + runsKept * 3 + usage.notebooks) * usage.notebookKb + PORTAL_KB;
  return { table: tableKb / KB_PER_GB, bucket: bucketKb / KB_PER_GB };
};

/**
 * Custom metrics published in a month, each only in hours it has a value above zero: the culler's while anybody uses
 * the platform (an idle one publishes none), the others while their work happens.
 */
export const customMetrics = (inv: Inventory, usage: Usage): number =>
  (usage.users > 0 ? 3 + inv.poolKinds : 0) + // Culls, CullWarnings, CullProblems; ActiveServers by Pool
  (usage.runsPerDay > 0 ? 5 : 0) + // RunsStarted, RunsCompleted, RunsFailed, RunsStopped, RunDuration
  (usage.users * usage.launchesPerUserPerDay > 0 ? 2 : 0) + // ServersStarted, ServerLaunchesFailed
  (usage.scheduledRunsPerDay > 0 ? 2 : 0); // ScheduleFires, ScheduleFiresFailed

const COGNITO: Record<NonNullable<Inventory['cognitoPlan']>, PriceName> = {
  LITE: 'cognitoLiteMau',
  ESSENTIALS: 'cognitoEssentialsMau',
  PLUS: 'cognitoPlusMau',
};

/** The lines of what exists and what is kept: ACL, secrets, alarms, dashboards, metrics, keys, users, storage. */
export const standingLines = (inv: Inventory, usage: Usage, d: Demand): Line[] => {
  const own = (service: string, item: string, quantity: number, name: PriceName) =>
    line('own', service, item, quantity, name);
  const stored = storedGb(usage);
  const logMonths = (days: number) => days / DAYS_PER_MONTH;
  const logsStored =
    d.logGb.lambda * logMonths(inv.logRetentionDays.lambda) +
    d.logGb.api * logMonths(inv.logRetentionDays.api) +
    d.logGb.states * logMonths(inv.logRetentionDays.states);
  return [
    ...(inv.webAclRules === null
      ? []
      : [own('WAF', 'web ACL', 1, 'wafWebAcl'), own('WAF', 'rules', inv.webAclRules, 'wafRule')]),
    own('Secrets Manager', 'secrets', inv.secrets, 'secret'),
    own('CloudWatch', `alarms (${inv.alarms}, by metrics read)`, inv.alarmMetrics, 'alarmMetric'),
    own('CloudWatch', 'dashboards', inv.dashboards, 'dashboard'),
    own('CloudWatch', 'custom metrics (Orrery namespace)', customMetrics(inv, usage), 'customMetric'),
    own('CloudWatch', 'logs stored (steady state, uncompressed)', logsStored, 'logStorage'),
    own('KMS', 'customer managed keys (alarm topic)', inv.kmsKeys, 'kmsKey'),
    ...(inv.cognitoPlan
      ? [own('Cognito', `monthly active users (${inv.cognitoPlan})`, usage.users, COGNITO[inv.cognitoPlan])]
      : []),
    own('DynamoDB', 'storage (table and indexes)', stored.table, 'dynamoStorage'),
    own('DynamoDB', 'point-in-time recovery', stored.table, 'dynamoPitr'),
    own('S3', 'Standard storage', stored.bucket, 's3Storage'),
    ...(inv.vpc ? [line('network', 'VPC', 'NAT gateway hours', usage.natGateways * HOURS_PER_MONTH, 'natHour')] : []),
  ];
};

/** What users' servers and runs cost on the cluster, at the profiles' hourly prices, and the control plane. */
export const eksLines = (usage: Usage, profiles: ComputeProfiles): Line[] => {
  const serverHours = usage.users * usage.serverHoursPerUserPerDay * DAYS_PER_MONTH;
  const runHours = (usage.runsPerDay * DAYS_PER_MONTH * usage.runMinutes) / 60;
  const hourly = (item: string, quantity: number, price: number): Line => ({
    section: 'eks',
    service: 'EKS',
    item,
    quantity,
    price: priceText(price, 1, "pod-hour (the profile's hourlyPrice)"),
    unitUsd: price,
    usd: quantity * price,
  });
  const { server, run } = profiles;
  return [
    line('eks', 'EKS', 'control plane', HOURS_PER_MONTH, 'eksControlPlane'),
    hourly(`servers (${server.slug})`, serverHours, server.hourlyPrice),
    line('eks', 'EBS', `server homes (${server.homeGb} GB gp3 each)`, usage.users * server.homeGb, 'ebsGp3'),
    hourly(`runs (${run.slug})`, runHours, run.hourlyPrice),
  ];
};

/** Every line of a month of `usage`, zero lines included. */
export const monthLines = (inv: Inventory, wf: Workflows, usage: Usage, profiles: ComputeProfiles): Line[] => {
  const demand = monthDemand(inv, wf, usage);
  return [...workLines(demand, inv), ...standingLines(inv, usage, demand), ...eksLines(usage, profiles)];
};

/** The idle platform's own lines: nobody on it, only what runs and exists on its own (zero lines dropped). */
export const idleLines = (inv: Inventory, wf: Workflows, usage: Usage): Line[] => {
  const idle = idleUsage(usage);
  const demand = monthDemand(inv, wf, idle);
  return [...workLines(demand, inv), ...standingLines(inv, idle, demand)].filter(
    (l) => l.section === 'own' && l.quantity > 0,
  );
};

/** What one run adds through the API or a schedule: its work priced, nothing standing (zero lines dropped). */
export const runLines = (inv: Inventory, wf: Workflows, usage: Usage, how: 'api' | 'scheduled'): Line[] =>
  workLines(runDemand(inv, wf, usage, how), inv).filter((l) => l.section === 'own' && l.quantity > 0);

/** What one server launch adds to Orrery's own parts. */
export const launchLines = (inv: Inventory, wf: Workflows, usage: Usage): Line[] =>
  workLines(launchDemand(inv, wf, usage), inv).filter((l) => l.section === 'own' && l.quantity > 0);

/** The sum of some lines. */
export const totalUsd = (lines: readonly Line[], section?: Section): number =>
  lines.filter((l) => !section || l.section === section).reduce((sum, l) => sum + l.usd, 0);
