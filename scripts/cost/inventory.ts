// What a configuration deploys, read from the CDK app itself (its construct tree, without synthesizing or bundling):
// the functions and their memory, alarms, dashboards, keys, secrets, the web ACL, the user pool, fixed schedules and
// log retention. The cost model prices these; reading them here keeps the figures honest when the stacks change.
import { App } from 'aws-cdk-lib';
import { CfnAlarm, CfnDashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnUserPool } from 'aws-cdk-lib/aws-cognito';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { IConstruct } from 'constructs';
import { buildOrrery } from '../../infra/lib/app.ts';
import type { InfraConfig } from '../../infra/lib/config.ts';
import { FUNCTION_KEYS, type FunctionKey, HOURS_PER_MONTH, type Inventory } from './model.ts';

/** Each background function's construct id, by the key the model knows it under. */
const BACKGROUND_IDS: Record<Exclude<FunctionKey, 'api'>, string> = {
  prepare: 'PrepareRun',
  markStarted: 'MarkRunStarted',
  finalize: 'FinalizeRun',
  serverTasks: 'ServerTasks',
  culler: 'CullIdle',
  fire: 'FireSchedule',
};

/** How many times a month a fixed Scheduler expression fires: `rate(N unit)` or a daily `cron(M H * * ? *)`. */
export const invocationsPerMonth = (expression: string): number => {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const perHour = { minute: 60, hour: 1, day: 1 / 24 }[rate[2]!.replace(/s$/, '') as 'minute' | 'hour' | 'day'];
    return (HOURS_PER_MONTH * perHour) / Number(rate[1]);
  }
  if (/^cron\(\d+ \d+ \* \* \? \*\)$/.test(expression)) return HOURS_PER_MONTH / 24;
  throw new Error(`cannot count the invocations of the schedule expression ${expression}`);
};

const cfn = <T>(fn: IFunction): T => fn.node.defaultChild as T;

// A metric math alarm is billed per metric it reads; a plain one reads one.
const alarmMetrics = (alarm: CfnAlarm): number =>
  Array.isArray(alarm.metrics)
    ? (alarm.metrics as { metricStat?: unknown }[]).filter((m) => m.metricStat !== undefined).length
    : 1;

const secretsNamedBy = (config: InfraConfig): number =>
  new Set([
    ...(config.slackWebhookSecretName ? [config.slackWebhookSecretName] : []),
    ...(config.notifyDestinations ?? []).map((d) => d.secret),
  ]).size;

const retentionOf = (groups: CfnLogGroup[], prefix: string | null): number => {
  const named = groups.filter((g) =>
    prefix === null ? !g.logGroupName?.startsWith('/aws/') : g.logGroupName?.startsWith(prefix),
  );
  return Math.max(0, ...named.map((g) => g.retentionInDays ?? 3653));
};

// Which background function a fixed schedule invokes: the one whose ARN its target names.
const targetOf = (schedule: CfnSchedule, background: IFunction[]): FunctionKey => {
  const arn = (schedule.target as CfnSchedule.TargetProperty).arn;
  const fn = background.find((f) => f.functionArn === arn);
  const key = (Object.keys(BACKGROUND_IDS) as (keyof typeof BACKGROUND_IDS)[]).find(
    (k) => BACKGROUND_IDS[k] === fn?.node.id,
  );
  if (!key) throw new Error(`the schedule ${schedule.node.path} invokes no function the cost model knows`);
  return key;
};

/** The deployment a configuration makes, as the cost model needs it (the pool kinds come from the profiles). */
export const inventoryOf = (config: InfraConfig, poolKinds: number): Inventory => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildOrrery(app, config);
  const all = app.node.findAll();
  const of = <T extends IConstruct>(type: abstract new (...args: never[]) => T): T[] =>
    all.filter((c): c is T => c instanceof type);
  const background = [...stacks.workflows.functions, stacks.schedules.culler, stacks.schedules.fire];
  const byKey = (key: FunctionKey): IFunction[] =>
    key === 'api' ? Object.values(stacks.api.functions) : background.filter((fn) => fn.node.id === BACKGROUND_IDS[key]);
  const functions = Object.fromEntries(
    FUNCTION_KEYS.map((key) => {
      const fns = byKey(key).map((fn) => cfn<CfnFunction>(fn));
      if (!fns.length) throw new Error(`the CDK app has no ${key} function`);
      const memoryMb = fns.reduce((sum, fn) => sum + (fn.memorySize ?? 128), 0) / fns.length;
      const vpcShare = fns.filter((fn) => fn.vpcConfig !== undefined).length / fns.length;
      return [key, { count: fns.length, memoryMb, vpcShare }];
    }),
  ) as Inventory['functions'];
  const logGroups = of(CfnLogGroup);
  const pool = of(CfnUserPool)[0];
  const acl = of(CfnWebACL)[0];
  return {
    region: config.env.region,
    functions,
    alarms: of(CfnAlarm).length,
    alarmMetrics: of(CfnAlarm).reduce((sum, alarm) => sum + alarmMetrics(alarm), 0),
    dashboards: of(CfnDashboard).length,
    kmsKeys: of(CfnKey).length,
    secrets: of(CfnSecret).length + secretsNamedBy(config),
    webAclRules: acl ? (acl.rules as unknown[]).length : null,
    cognitoPlan: pool ? ((pool.userPoolTier as Inventory['cognitoPlan']) ?? 'ESSENTIALS') : null,
    fixedSchedules: of(CfnSchedule).map((s) => ({
      name: s.node.scope?.node.id ?? s.node.id,
      perMonth: invocationsPerMonth(s.scheduleExpression),
      target: targetOf(s, background),
    })),
    logRetentionDays: {
      lambda: retentionOf(logGroups, null),
      api: retentionOf(logGroups, '/aws/apigateway/'),
      states: retentionOf(logGroups, '/aws/vendedlogs/states/'),
    },
    poolKinds,
    vpc: config.vpc !== undefined,
  };
};
