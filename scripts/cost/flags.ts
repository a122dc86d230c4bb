// The flags of `npm run cost`: one per usage assumption (with its default and meaning), the configuration file and
// the profiles servers and runs use. A bad value is a CostFlagError naming the flag; the script exits 2 with it.
import { parseArgs } from 'node:util';
import { DEFAULT_USAGE, type Usage } from './model.ts';

/** A flag that cannot be used as given: its message names the flag and what it takes. */
export class CostFlagError extends Error {
  override readonly name = 'CostFlagError';
}

/** One usage flag: its name on the command line, what it means, and whether it takes only whole numbers. */
interface UsageFlag {
  flag: string;
  help: string;
  whole?: boolean;
}

/** Every usage assumption's flag, in the order `--help` and docs/cost.md list them. */
export const USAGE_FLAGS: Record<keyof Usage, UsageFlag> = {
  users: { flag: 'users', help: 'people who use Orrery in a month (each a Cognito monthly active user)', whole: true },
  runsPerDay: { flag: 'runs-per-day', help: 'runs that complete each day, scheduled ones included' },
  scheduledRunsPerDay: { flag: 'scheduled-runs-per-day', help: 'of those, runs a schedule fires (due times a day)' },
  runMinutes: { flag: 'run-minutes', help: "a run's pod time, start to exit, in minutes" },
  serverHoursPerUserPerDay: { flag: 'server-hours-per-user', help: "hours a day each user's server runs" },
  launchesPerUserPerDay: { flag: 'launches-per-user', help: 'server launches per user per day' },
  launchSeconds: { flag: 'launch-seconds', help: 'seconds from a launch to a ready server (scheduling, image pull)' },
  apiRequestsPerUserPerDay: { flag: 'api-requests-per-user', help: "API requests a day from each user's portal" },
  pageViewsPerUserPerDay: { flag: 'page-views-per-user', help: 'portal page loads per user per day' },
  schedules: { flag: 'schedules', help: 'active notebook schedules', whole: true },
  notebooks: { flag: 'notebooks', help: 'notebooks stored', whole: true },
  versionsPerNotebook: { flag: 'versions-per-notebook', help: 'versions kept per notebook' },
  notebookKb: { flag: 'notebook-kb', help: "a notebook's size in KB (a run's output is taken as twice that)" },
  apiMs: { flag: 'api-ms', help: 'billed milliseconds of an average API request, cold starts included' },
  logKbPerInvocation: { flag: 'log-kb', help: 'KB of logs each Lambda invocation writes' },
  coldStartsPerFunctionPerDay: { flag: 'cold-starts', help: 'cold starts per function per day (each reads secrets)' },
  natGateways: {
    flag: 'nat-gateways',
    help: 'NAT gateways of the configured VPC (shown only with `vpc`)',
    whole: true,
  },
};

/** What the command line asks for. */
export interface CostFlags {
  usage: Usage;
  /** The deployment configuration (infra/orrery.config.json shape); none: the script picks one. */
  config?: string;
  serverProfile?: string;
  runProfile?: string;
  help: boolean;
}

const keys = Object.keys(USAGE_FLAGS) as (keyof Usage)[];

// parseArgs reads `--users -1` as a flag without its value; joined as `--users=-1`, the value is checked like any.
const joinNegatives = (argv: readonly string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const [arg, next] = [argv[i]!, argv[i + 1]];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
};

const numberOf = (key: keyof Usage, text: string): number => {
  const { flag, whole } = USAGE_FLAGS[key];
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (whole && !Number.isInteger(value)))
    throw new CostFlagError(`--${flag} takes ${whole ? 'a whole number' : 'a number'} of 0 or more, not "${text}"`);
  return value;
};

/** The flags of `argv` (without node and the script), checked; a bad one throws CostFlagError naming it. */
export const parseCostFlags = (argv: readonly string[]): CostFlags => {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegatives(argv),
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(keys.map((k) => [USAGE_FLAGS[k].flag, { type: 'string' as const }])),
        config: { type: 'string' },
        'server-profile': { type: 'string' },
        'run-profile': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new CostFlagError((err as Error).message.split('\n')[0]!);
  }
  const usage = { ...DEFAULT_USAGE };
  for (const key of keys) {
    const text = values[USAGE_FLAGS[key].flag];
    if (typeof text === 'string') usage[key] = numberOf(key, text);
  }
  if (usage.scheduledRunsPerDay > usage.runsPerDay)
    throw new CostFlagError(
      `--scheduled-runs-per-day (${usage.scheduledRunsPerDay}) counts runs among --runs-per-day ` +
        `(${usage.runsPerDay}), so it cannot be more`,
    );
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return {
    usage,
    config: text('config'),
    serverProfile: text('server-profile'),
    runProfile: text('run-profile'),
    help: values.help === true,
  };
};

/** The `--help` text: every flag with its default. */
export const helpText = (): string =>
  [
    'Usage: npm run cost -- [--config infra/orrery.config.json] [--server-profile slug] [--run-profile slug] [flags]',
    '',
    'Usage assumptions (default in brackets):',
    ...keys.map((k) => `  --${USAGE_FLAGS[k].flag.padEnd(24)} ${USAGE_FLAGS[k].help} [${DEFAULT_USAGE[k]}]`),
    '',
    'Prices: scripts/cost/prices.ts; how each line is computed: docs/cost.md.',
  ].join('\n');
