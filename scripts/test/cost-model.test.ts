import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAsl } from '#functions/contracts';
import { describe, expect, it } from 'vitest';
import { CostFlagError, parseCostFlags } from '../cost/flags.ts';
import {
  eksLines,
  idleLines,
  launchLines,
  type Line,
  priceText,
  runLines,
  standingLines,
  totalUsd,
} from '../cost/lines.ts';
import { DEFAULT_USAGE, emptyDemand, type Inventory, KB_PER_GB, type Usage, type Workflows } from '../cost/model.ts';
import { PRICES, PRICES_AS_OF } from '../cost/prices.ts';
import { happyPath, loopOf, readWorkflows } from '../cost/transitions.ts';
import { monthDemand, pollsOf } from '../cost/work.ts';

const fn = { count: 1, memoryMb: 1024, vpcShare: 0 };
/** What the example configuration deploys (cost-inventory.test.ts checks the CDK app agrees). */
const INVENTORY: Inventory = {
  region: 'us-east-1',
  functions: {
    api: { ...fn, count: 7 },
    prepare: fn,
    markStarted: fn,
    finalize: fn,
    serverTasks: fn,
    culler: fn,
    fire: fn,
  },
  alarms: 7,
  alarmMetrics: 21,
  dashboards: 1,
  kmsKeys: 1,
  secrets: 2,
  webAclRules: 1,
  cognitoPlan: 'PLUS',
  fixedSchedules: [
    { name: 'CullSchedule', perMonth: 8760, target: 'culler' },
    { name: 'DigestSchedule', perMonth: 730 / 24, target: 'fire' },
  ],
  logRetentionDays: { lambda: 30, api: 365, states: 30 },
  poolKinds: 2,
  vpc: false,
};
const WORKFLOWS: Workflows = {
  run: { transitions: 4, lambdaTasks: 3, logEvents: 20 },
  launch: {
    once: { transitions: 8, lambdaTasks: 3, logEvents: 25 },
    poll: { transitions: 3, lambdaTasks: 1, logEvents: 9 },
    pollSeconds: 3,
  },
};

const byItem = (lines: Line[]) => Object.fromEntries(lines.map((l) => [`${l.service}: ${l.item}`, l]));

describe('the workflows read from statemachines/', () => {
  it("counts a completed run's and a launch's transitions along their happy paths", () => {
    // Prepare
    const run = JSON.parse(readAsl('run-notebook'));
    const launch = JSON.parse(readAsl('launch-server'));

    // Act
    const workflows = readWorkflows();

    // Assess
    expect(happyPath(run, 'Finalize')).toEqual(['Prepare', 'MarkStarted', 'LaunchRunner', 'Finalize']);
    expect(happyPath(launch, 'Done')).toEqual([
      'CreateResources',
      'Created',
      'WaitForJupyter',
      'CheckLaunch',
      'Launched',
      'MarkRunning',
      'Running',
      'Done',
    ]);
    expect(loopOf(launch, 'WaitForJupyter')).toEqual(['CheckLaunch', 'Launched', 'WaitForJupyter']);
    expect(workflows).toEqual(WORKFLOWS);
  });

  it('refuses a goal the state machine does not have, naming the states it has', () => {
    // Prepare
    const run = JSON.parse(readAsl('run-notebook'));

    // Act
    const act = () => happyPath(run, 'Nowhere');

    // Assess
    expect(act).toThrow(/no state Nowhere; its states: Prepare, MarkStarted/);
  });
});

describe('one run and one launch', () => {
  it('prices an API-started run line by line', () => {
    // Act
    const lines = byItem(runLines(INVENTORY, WORKFLOWS, DEFAULT_USAGE, 'api'));

    // Assess
    expect(lines['Step Functions: run-notebook transitions']).toMatchObject({ quantity: 4, usd: 0.0001 });
    // The idempotency key, the run's put (8), QUEUED (10), the token's hash (8), IN_PROGRESS (10), COMPLETED (10).
    expect(lines['DynamoDB: write request units']!.quantity).toBe(47);
    expect(lines['DynamoDB: write request units']!.usd).toBeCloseTo(0.000029375, 12);
    expect(lines['DynamoDB: read request units']!.quantity).toBe(6);
    expect(lines['S3: PUT/POST requests']).toMatchObject({ quantity: 2, usd: 0.00001 });
    expect(lines['S3: GET/HEAD requests']!.quantity).toBe(4);
    expect(lines['API Gateway: HTTP API requests']).toMatchObject({ quantity: 1, usd: 0.000001 });
    expect(lines['Lambda: requests, all functions']!.quantity).toBe(4);
    expect(lines['Lambda: compute: run: prepare (1 × 1024 MB, arm64)']!.quantity).toBeCloseTo(0.4, 12);
    expect(lines['X-Ray: traces recorded']!.quantity).toBe(2);
    // Four invocations' logs, one access log line, 22 state events.
    const logKb = lines['CloudWatch: logs ingested (Lambda, API access, Step Functions)']!.quantity * KB_PER_GB;
    expect(logKb).toBeCloseTo(4 * 1.5 + 0.4 + 22 * 0.35, 9);
    // Transitions, WRU, RRU, PUTs, GETs, the request, Lambda requests and 1.05 GB-s, traces, CloudFront's request and
    // 3 KB, WAF, logs.
    const expected = [0.0001, 0.000029375, 0.00000075, 0.00001, 0.0000016, 0.000001, 0.0000008, 1.05 * 0.0000133334];
    expected.push(0.00001, 0.000001, (3 / KB_PER_GB) * 0.085, 0.0000006, (14.1 / KB_PER_GB) * 0.5);
    expect(totalUsd(Object.values(lines))).toBeCloseTo(0.00017609166, 11);
    expect(totalUsd(Object.values(lines))).toBeCloseTo(
      expected.reduce((a, b) => a + b, 0),
      15,
    );
  });

  it('starts a scheduled run with a Scheduler invocation and the fire function instead of the API', () => {
    // Act
    const lines = byItem(runLines(INVENTORY, WORKFLOWS, DEFAULT_USAGE, 'scheduled'));

    // Assess
    expect(lines['API Gateway: HTTP API requests']).toBeUndefined();
    expect(lines["EventBridge Scheduler: notebook schedules' due times"]).toMatchObject({ quantity: 1, usd: 0.000001 });
    expect(lines['Lambda: compute: schedule fires, digest (1 × 1024 MB, arm64)']!.quantity).toBeCloseTo(0.4, 12);
  });

  it('adds the loop of three states for every look at a launching server after the first', () => {
    // Prepare
    const slow: Usage = { ...DEFAULT_USAGE, launchSeconds: 60 };
    const instant: Usage = { ...DEFAULT_USAGE, launchSeconds: 0 };

    // Act
    const polls = pollsOf(WORKFLOWS, slow);
    const slowLines = byItem(launchLines(INVENTORY, WORKFLOWS, slow));
    const instantLines = byItem(launchLines(INVENTORY, WORKFLOWS, instant));

    // Assess: each look is the 3 s Wait and a 200 ms CheckLaunch.
    expect(polls).toBe(19);
    expect(slowLines['Step Functions: launch-server transitions']!.quantity).toBe(8 + 18 * 3);
    expect(instantLines['Step Functions: launch-server transitions']!.quantity).toBe(8);
  });
});

describe('a month', () => {
  const small: Usage = {
    ...DEFAULT_USAGE,
    users: 10,
    runsPerDay: 0,
    scheduledRunsPerDay: 0,
    serverHoursPerUserPerDay: 2,
    schedules: 0,
    notebooks: 100,
    versionsPerNotebook: 2,
    notebookKb: 100,
  };

  it('prices what exists and what is kept from the inventory and the usage', () => {
    // Act
    const lines = byItem(standingLines(INVENTORY, small, emptyDemand()));

    // Assess
    expect(lines['WAF: web ACL']!.usd).toBe(5);
    expect(lines['WAF: rules']!.usd).toBe(1);
    expect(lines['Secrets Manager: secrets']!.usd).toBeCloseTo(0.8, 12);
    expect(lines['CloudWatch: alarms (7, by metrics read)']!.usd).toBeCloseTo(2.1, 12);
    expect(lines['CloudWatch: dashboards']!.usd).toBe(3);
    // The culler's three and ActiveServers for two pools, and the launches' two; no runs, no fires.
    expect(lines['CloudWatch: custom metrics (Orrery namespace)']!.quantity).toBe(7);
    expect(lines['Cognito: monthly active users (PLUS)']!.usd).toBeCloseTo(0.2, 12);
    // 100 notebooks × 5 copies, 200 versions, 10 servers × 3 copies (KB).
    expect(lines['DynamoDB: storage (table and indexes)']!.quantity * KB_PER_GB).toBeCloseTo(730, 9);
    // 200 bodies and 100 rendered pages of 100 KB, and the 5 MB portal.
    expect(lines['S3: Standard storage']!.quantity * KB_PER_GB).toBeCloseTo(30_000 + 5120, 9);
  });

  it("prices users' servers, their homes and runs at the profiles' prices, and the control plane", () => {
    // Prepare
    const usage: Usage = { ...small, runsPerDay: 24, runMinutes: 5 };
    const profiles = {
      server: { slug: 'cpu-small', hourlyPrice: 0.05, homeGb: 10 },
      run: { slug: 'gpu-t4', hourlyPrice: 0.5 },
    };

    // Act
    const lines = byItem(eksLines(usage, profiles));

    // Assess: 730 / 24 days a month.
    expect(lines['EKS: control plane']!.usd).toBeCloseTo(73, 12);
    expect(lines['EKS: servers (cpu-small)']!.usd).toBeCloseTo(10 * 2 * (730 / 24) * 0.05, 9);
    expect(lines['EBS: server homes (10 GB gp3 each)']!.usd).toBeCloseTo(8, 12);
    expect(lines['EKS: runs (gpu-t4)']!.usd).toBeCloseTo((24 * (730 / 24) * 5 * 0.5) / 60, 9);
  });

  it('sweeps for idle servers every 5 minutes and sends the digest daily, whatever the usage', () => {
    // Act
    const demand = monthDemand(INVENTORY, WORKFLOWS, { ...small, users: 0 });

    // Assess
    expect(demand.invocations.culler).toBe(8760);
    expect(demand.invocations.fire).toBeCloseTo(730 / 24, 9);
    expect(demand.schedulerFixed).toBeCloseTo(8760 + 730 / 24, 9);
    expect(demand.apiRequests).toBe(0);
  });

  it('leaves the idle platform only its fixed lines: no request, transition, user or stored notebook', () => {
    // Act
    const idle = idleLines(INVENTORY, WORKFLOWS, DEFAULT_USAGE);

    // Assess
    const services = new Set(idle.map((l) => l.service));
    for (const absent of ['API Gateway', 'CloudFront', 'Step Functions', 'Cognito'])
      expect(services.has(absent)).toBe(false);
    expect(idle.map((l) => l.item)).not.toContain('requests inspected');
    expect(idle.filter((l) => l.service === 'S3').map((l) => l.item)).toEqual(['Standard storage']);
    expect(idle.filter((l) => l.item.startsWith('compute:')).map((l) => l.item)).toEqual([
      'compute: idle culler (1 × 1024 MB, arm64)',
      'compute: schedule fires, digest (1 × 1024 MB, arm64)',
    ]);
    // WAF 6, secrets 0.80, alarms 2.10, dashboard 3, the key 1 (the culler publishes no zeros, so no metric); the
    // culler's work under 20 cents.
    const fixed = 6 + 0.8 + 2.1 + 3 + 1;
    expect(idle.map((l) => l.item)).not.toContain('custom metrics (Orrery namespace)');
    expect(totalUsd(idle)).toBeGreaterThan(fixed);
    expect(totalUsd(idle)).toBeLessThan(fixed + 0.2);
  });
});

describe('the flags of npm run cost', () => {
  it('takes the documented defaults when none is given', () => {
    // Act
    const flags = parseCostFlags([]);

    // Assess
    expect(flags.usage).toEqual(DEFAULT_USAGE);
    expect(flags.config).toBeUndefined();
  });

  it('reads each usage flag by its name', () => {
    // Act
    const flags = parseCostFlags([
      '--users',
      '12',
      '--runs-per-day=40',
      '--scheduled-runs-per-day',
      '10',
      '--run-minutes',
      '2.5',
    ]);

    // Assess
    expect(flags.usage).toMatchObject({ users: 12, runsPerDay: 40, scheduledRunsPerDay: 10, runMinutes: 2.5 });
  });

  it.each([
    [['--users', '-1'], '--users takes a whole number of 0 or more, not "-1"'],
    [['--users', '2.5'], '--users takes a whole number of 0 or more, not "2.5"'],
    [['--run-minutes', 'ten'], '--run-minutes takes a number of 0 or more, not "ten"'],
    [['--scheduled-runs-per-day', '300'], '--scheduled-runs-per-day (300) counts runs among --runs-per-day (200)'],
    [['--user', '5'], "Unknown option '--user'"],
  ])('refuses %j naming the flag', (argv, message) => {
    // Act
    const act = () => parseCostFlags(argv);

    // Assess
    expect(act).toThrow(CostFlagError);
    expect(act).toThrow(message);
  });
});

describe('docs/cost.md', () => {
  it('states every unit price of the table, as the report prints it, and their date', () => {
    // Prepare
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'cost.md'), 'utf8');

    // Act
    const missing = Object.entries(PRICES)
      .map(([name, p]) => `| \`${name}\` | ${priceText(p.usd, p.per, p.unit)} | ${p.source} |`)
      .filter((row) => !doc.includes(row));

    // Assess
    expect(missing).toEqual([]);
    expect(doc).toContain(`us-east-1, as of ${PRICES_AS_OF}`);
  });
});
