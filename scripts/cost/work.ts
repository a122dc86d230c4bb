// The work each operation does, counted from the use cases' store calls (docs/cost.md shows the arithmetic), and
// the Demand of one run, one launch and one month built from it.
import {
  addInto,
  DAYS_PER_MONTH,
  type Demand,
  emptyDemand,
  type FunctionKey,
  type Inventory,
  KB_PER_GB,
  type Usage,
  type Workflows,
} from './model.ts';

/** One operation: the function it runs in (none: outside Lambda), billed ms, DynamoDB units, S3 requests, a trace. */
export interface Operation {
  fn?: FunctionKey;
  ms: number;
  rru: number;
  wru: number;
  s3Get: number;
  s3Put: number;
  /** Whether it starts an X-Ray trace (a Task Lambda joins its execution's). */
  trace: boolean;
}

const op = (o: Partial<Operation>): Operation => ({ ms: 0, rru: 0, wru: 0, s3Get: 0, s3Put: 0, trace: false, ...o });

/** A run's record: about 2 KB (parameters twice, typed and as JSON), written to the table and three indexes. */
export const RUN_ITEM_KB = 2;
const RUN_COPIES = 4;
/** WRU of a put or an update of a run (every copy is rewritten: the indexes project all attributes). */
export const RUN_WRITE_WRU = RUN_COPIES * RUN_ITEM_KB;
/** WRU of a status change: the status index's copy is deleted and put again under the new key. */
export const RUN_MOVE_WRU = RUN_WRITE_WRU + RUN_ITEM_KB;

/** Bytes of other work: an access log line, a Step Functions event without data, what flows through CloudFront. */
export const SIZES_KB = { accessLog: 0.4, stateEvent: 0.35, apiResponse: 3, pageView: 30, natPerInvocation: 20 };
/** A page view's requests to CloudFront beyond the API's (index.html and config.json; assets stay cached). */
export const REQUESTS_PER_PAGE_VIEW = 2;
/** A running server reports its activity every 5 minutes. */
export const REPORTS_PER_SERVER_HOUR = 12;
/** Log events an execution writes besides its states' (started, succeeded). */
export const EXECUTION_EVENTS = 2;

/** Every operation the model counts; `apiRequest`'s duration is the `--api-ms` flag. */
export const operations = (usage: Pick<Usage, 'apiMs'>) => ({
  // The average request of the portal's mix: 70% reads of one or two items, 20% list pages, 10% writes.
  apiRequest: op({ fn: 'api', ms: usage.apiMs, rru: 4, wru: 0.5, s3Get: 0.15, s3Put: 0.02, trace: true }),
  // POST /notebooks/{id}/runs: notebook and version (2 RRU), idempotency key (1), the run put, QUEUED.
  startRun: op({ fn: 'api', ms: 250, rru: 2, wru: 1 + RUN_WRITE_WRU + RUN_MOVE_WRU, trace: true }),
  // Prepare: run and version, the body (GET) and the input (PUT), the token's hash on the run.
  prepare: op({ fn: 'prepare', ms: 400, rru: 2, wru: RUN_WRITE_WRU, s3Get: 1, s3Put: 1 }),
  // The runner pod: its presigned GET of the input and PUT of the output.
  runner: op({ s3Get: 1, s3Put: 1 }),
  markStarted: op({ fn: 'markStarted', ms: 100, wru: RUN_MOVE_WRU }),
  // Finalize: the run twice, the input's size (HEAD) and the output (GET), COMPLETED.
  finalize: op({ fn: 'finalize', ms: 300, rru: 2, wru: RUN_MOVE_WRU, s3Get: 2 }),
  // A due time: schedule, fire claimed and updated twice, the schedule's update, and the run started as above.
  fire: op({ fn: 'fire', ms: 400, rru: 4, wru: 2 + RUN_WRITE_WRU + RUN_MOVE_WRU + 4 + 4, trace: true }),
  // A scheduled run's end: its schedule's queue read, the fire updated.
  scheduledEnd: op({ rru: 1, wru: 2 }),
  // POST /servers: the user's servers and slots, a slot taken, the server put (table and owner index).
  launchServer: op({ fn: 'api', ms: 250, rru: 3, wru: 6, trace: true }),
  // One Task of the launch workflow: the server read, a progress event or state change on most.
  launchStep: op({ fn: 'serverTasks', ms: 200, rru: 1, wru: 1 }),
  // An activity report: the server read, its last activity and next cull check written (the cull index moves).
  activityReport: op({ fn: 'api', ms: 50, rru: 1, wru: 3, trace: true }),
  // A cull sweep: the active servers and the due candidates, two Queries (more RRU as servers run: cullSweep()).
  cullSweep: op({ fn: 'culler', ms: 400, rru: 2, trace: true }),
  // The daily digest: the schedules that asked for one.
  digest: op({ fn: 'fire', ms: 300, rru: 1, trace: true }),
});

/** `times` of `o` added into `d`, with the function's memory, logs and NAT share from the inventory. */
export const work = (d: Demand, inv: Inventory, usage: Usage, o: Operation, times = 1): Demand => {
  if (o.fn) {
    const fn = inv.functions[o.fn];
    d.invocations[o.fn] += times;
    d.gbSeconds[o.fn] += (times * o.ms * fn.memoryMb) / 1000 / 1024;
    d.logGb.lambda += (times * usage.logKbPerInvocation) / KB_PER_GB;
    d.natGb += (times * fn.vpcShare * SIZES_KB.natPerInvocation) / KB_PER_GB;
  }
  d.rru += times * o.rru;
  d.wru += times * o.wru;
  d.s3Get += times * o.s3Get;
  d.s3Put += times * o.s3Put;
  if (o.trace) d.traces += times;
  return d;
};

const apiCalls = (d: Demand, times: number, throughPortal: boolean): void => {
  d.apiRequests += times;
  d.logGb.api += (times * SIZES_KB.accessLog) / KB_PER_GB;
  if (!throughPortal) return;
  d.cdnRequests += times;
  d.cdnGb += (times * SIZES_KB.apiResponse) / KB_PER_GB;
};

const execution = (d: Demand, logEvents: number): void => {
  d.logGb.states += ((logEvents + EXECUTION_EVENTS) * SIZES_KB.stateEvent) / KB_PER_GB;
  d.traces += 1;
};

/** One run that completes: started through the API (POST from the portal) or by a schedule's due time. */
export const runDemand = (inv: Inventory, wf: Workflows, usage: Usage, how: 'api' | 'scheduled'): Demand => {
  const d = emptyDemand();
  const ops = operations(usage);
  if (how === 'api') {
    apiCalls(d, 1, true);
    work(d, inv, usage, ops.startRun);
  } else {
    d.schedulerDue += 1;
    work(d, inv, usage, ops.fire);
    work(d, inv, usage, ops.scheduledEnd);
  }
  d.transitions.run += wf.run.transitions;
  execution(d, wf.run.logEvents);
  for (const o of [ops.prepare, ops.markStarted, ops.runner, ops.finalize]) work(d, inv, usage, o);
  return d;
};

/** How many looks a launch of `launchSeconds` takes: the Wait, then one CheckLaunch, until the server is ready. */
export const pollsOf = (wf: Workflows, usage: Usage): number =>
  Math.max(1, Math.ceil(usage.launchSeconds / (wf.launch.pollSeconds + operations(usage).launchStep.ms / 1000)));

/** One server launch from the portal, polling until ready. */
export const launchDemand = (inv: Inventory, wf: Workflows, usage: Usage): Demand => {
  const d = emptyDemand();
  const ops = operations(usage);
  const more = pollsOf(wf, usage) - 1;
  const { once, poll } = wf.launch;
  apiCalls(d, 1, true);
  work(d, inv, usage, ops.launchServer);
  d.transitions.launch += once.transitions + more * poll.transitions;
  work(d, inv, usage, ops.launchStep, once.lambdaTasks + more * poll.lambdaTasks);
  execution(d, once.logEvents + more * poll.logEvents);
  return d;
};

// Functions that read a secret at cold start: the listing routes (the cursor key), and those that notify.
const SECRET_READERS: FunctionKey[] = ['api', 'finalize', 'culler', 'fire'];

/** A month's work: the users' requests and page views, servers' reports, runs, launches, and fixed schedules. */
export const monthDemand = (inv: Inventory, wf: Workflows, usage: Usage): Demand => {
  const d = emptyDemand();
  const ops = operations(usage);
  const days = DAYS_PER_MONTH;
  const userRequests = usage.users * usage.apiRequestsPerUserPerDay * days;
  apiCalls(d, userRequests, true);
  work(d, inv, usage, ops.apiRequest, userRequests);
  const pageViews = usage.users * usage.pageViewsPerUserPerDay * days;
  d.cdnRequests += pageViews * REQUESTS_PER_PAGE_VIEW;
  d.cdnGb += (pageViews * SIZES_KB.pageView) / KB_PER_GB;
  const serverHours = usage.users * usage.serverHoursPerUserPerDay * days;
  apiCalls(d, serverHours * REPORTS_PER_SERVER_HOUR, false);
  work(d, inv, usage, ops.activityReport, serverHours * REPORTS_PER_SERVER_HOUR);
  const byApi = usage.runsPerDay - usage.scheduledRunsPerDay;
  addInto(d, runDemand(inv, wf, usage, 'api'), byApi * days);
  addInto(d, runDemand(inv, wf, usage, 'scheduled'), usage.scheduledRunsPerDay * days);
  addInto(d, launchDemand(inv, wf, usage), usage.users * usage.launchesPerUserPerDay * days);
  for (const schedule of inv.fixedSchedules) {
    d.schedulerFixed += schedule.perMonth;
    work(d, inv, usage, fixedWork(schedule.target, usage, serverHours), schedule.perMonth);
  }
  if (inv.secrets > 0)
    for (const key of SECRET_READERS) d.secretCalls += coldStarts(inv, usage, key, d.invocations[key]);
  return d;
};

// A sweep reads one more RRU per 8 servers running (1 KB items, eventually consistent, 4 KB per RRU).
const fixedWork = (target: FunctionKey, usage: Usage, serverHours: number): Operation => {
  const ops = operations(usage);
  if (target === 'culler')
    return { ...ops.cullSweep, rru: ops.cullSweep.rru + serverHours / (24 * DAYS_PER_MONTH) / 8 };
  if (target === 'fire') return { ...ops.digest, rru: ops.digest.rru + usage.schedules };
  throw new Error(`no fixed schedule is known to invoke the ${target} function`);
};

/** Cold starts in a month: each function of the group starts afresh this often a day, at most once per call. */
export const coldStarts = (inv: Inventory, usage: Usage, key: FunctionKey, invocations: number): number =>
  Math.min(invocations, inv.functions[key].count * usage.coldStartsPerFunctionPerDay * DAYS_PER_MONTH);
