import { join, resolve } from 'node:path';
import { Cron } from 'croner';
import * as z from 'zod';
import { decimal, documented as v, parseVariables, wholeNumber } from './variable-docs.ts';

// Settings only local mode reads (`npm start`, `npm run token`, the local wiring); no Lambda loads this module.

const LOCAL = ['local'] as const;
const CHECKOUT = join(import.meta.dirname, '..', '..', '..');
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where `npm run build:web` puts the portal, which local mode serves unless ORRERY_WEB_DIST names another. */
export const DEFAULT_WEB_DIST = join(CHECKOUT, 'web', 'dist');

// A comma-separated list of variable names; a word that is not one (`HTTPS_PROXY NO_PROXY`) is refused by name.
const variableNames = z.string().transform((text, ctx) => {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const bad = names.filter((name) => !NAME.test(name));
  const quoted = bad.map((b) => `'${b}'`).join(', ');
  if (bad.length) ctx.addIssue({ code: 'custom', message: `not a variable name: ${quoted} (use commas)` });
  return names;
});

// A comma-separated list of kernelspec names (Jupyter's are letters, digits, `.`, `_` and `-`), lowercased.
const kernelNames = z.string().transform((text, ctx) => {
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.filter((name) => !/^[a-z0-9._-]+$/.test(name));
  if (bad.length) ctx.addIssue({ code: 'custom', message: `not a kernelspec name: ${bad.join(', ')} (use commas)` });
  return [...new Set(names)];
});

const cronPattern = z.string().refine((pattern) => {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}, 'a cron pattern in croner syntax (5 or 6 fields, e.g. */2 * * * *)');

/** Local mode's own variables, with their reference entries. */
export const LOCAL_VARIABLES = z.object({
  PORT: v(wholeNumber(8080, 0, 65_535), {
    description: 'The port of the local platform, on 127.0.0.1 (`0`: any free port).',
    modes: LOCAL,
  }),
  ORRERY_HOME: v(
    z
      .string()
      .min(1)
      .transform((path) => resolve(path))
      .default(join(CHECKOUT, '.orrery')),
    {
      description:
        "The data folder: `dynamodb/` (dynalite's), `s3/` (s3rver's), `secrets.json` (the local signing key and " +
        'cursor secret), `users.json`, `login-codes.json`, and the work folders of `runs/` and `servers/`.',
      modes: LOCAL,
      defaultText: '`.orrery/` in the checkout',
    },
  ),
  ORRERY_TABLES_DIR: v(
    z
      .string()
      .min(1)
      .transform((path) => resolve(path))
      .optional(),
    {
      description:
        "The SQLite databases JupyterLab's data-tables panel lists: every `.sqlite`, `.sqlite3` and `.db` file " +
        'in it (and its subfolders), read without being locked or changed. Created on start.',
      modes: LOCAL,
      defaultText: '`tables/` in `ORRERY_HOME`',
    },
  ),
  ORRERY_PYTHON: v(z.string().min(1).default('/usr/bin/python3'), {
    description:
      'The Python that runs the runner, the kernels of runs, local `jupyter server`s and their activity ' + 'reporter.',
    modes: LOCAL,
  }),
  ORRERY_KERNEL_ENV: v(variableNames.optional(), {
    description:
      'More variables runs and servers get from your environment, by name, comma-separated (e.g. ' +
      '`HTTPS_PROXY,NO_PROXY`); otherwise they get only `PATH`, `HOME`, the locale, the Python/Jupyter path ' +
      "variables and `JAVA_HOME`/`SPARK_HOME` (for pyspark), never your AWS keys or Orrery's settings.",
    modes: LOCAL,
  }),
  ORRERY_ACTIVITY_INTERVAL: v(decimal(60, 0.1, 3600, 'a number of seconds'), {
    description: "Seconds between a local server's activity reports (the pod's sidecar uses 300).",
    modes: LOCAL,
  }),
  ORRERY_CULL_SCHEDULE: v(cronPattern.default('*/2 * * * *'), {
    description: 'When the local culler sweeps: a cron pattern (croner syntax; seconds allowed).',
    modes: LOCAL,
  }),
  ORRERY_LAUNCH_POLL_MS: v(wholeNumber(250, 1, 60_000), {
    description:
      "How long one of a server launch's looks at the local Jupyter waits for it to answer (the looks follow each " +
      "other at once; the cloud's workflow waits 3 s between looks).",
    modes: LOCAL,
  }),
  ORRERY_WARM_RUNNERS: v(wholeNumber(2, 0, 16), {
    description:
      'Runners kept ready per kernelspec of `ORRERY_WARM_KERNELS`, each with Jupyter imported and its kernel started, ' +
      'so a run skips those seconds; each serves one run and exits, and a fresh one starts behind it. Runs with a ' +
      'role, and of other kernelspecs, start cold. `0`: none.',
    modes: LOCAL,
  }),
  ORRERY_WARM_SERVERS: v(wholeNumber(3, 0, 16), {
    description:
      'Jupyter servers kept started ahead (about 60 MB each), with jupyter_server and the Orrery extension imported, ' +
      'so a launch skips most of a start; each becomes one launched server (its variables and folder are given ' +
      'only then) and ends with it, and a fresh one starts once no launch is under way (or 2 s after one was ' +
      'taken). Three keep a burst of five launches within a bare start. `0`: every launch starts its own.',
    modes: LOCAL,
  }),
  ORRERY_WARM_KERNELS: v(kernelNames.default(['python3']), {
    description: 'The kernelspecs warm runners are kept for, comma-separated (e.g. `python3,ir`).',
    modes: LOCAL,
    defaultText: '`python3`',
  }),
  ORRERY_WEB_DIST: v(
    z
      .string()
      .min(1)
      .transform((path) => resolve(path))
      .default(DEFAULT_WEB_DIST),
    {
      description:
        'The built portal the local platform serves; without its `index.html`, a plain sign-in page stands ' + 'in.',
      modes: LOCAL,
      defaultText: '`web/dist/` in the checkout (`npm run build:web`)',
    },
  ),
});

/** Local mode's settings, checked. */
export interface LocalSettings {
  port: number;
  home: string;
  /** The folder of SQLite files the data-tables panel lists, when set (otherwise `tables/` in the data folder). */
  tablesDir?: string;
  python: string;
  /** Variable names runs and servers also take from the platform's environment. */
  kernelVariables: string[];
  activityIntervalSeconds: number;
  cullSchedule: string;
  launchPollMs: number;
  webDist: string;
  /** Warm runners per kernelspec (0: none), and their kernelspecs. */
  warmRunners: { size: number; kernels: string[] };
  warmServers: number;
}

/** Reads local mode's settings; a bad value stops start-up naming the variable and what it should be. */
export const readLocalSettings = (env: Record<string, string | undefined>): LocalSettings => {
  const e = parseVariables(LOCAL_VARIABLES, env);
  return {
    port: e.PORT,
    home: e.ORRERY_HOME,
    tablesDir: e.ORRERY_TABLES_DIR,
    python: e.ORRERY_PYTHON,
    kernelVariables: e.ORRERY_KERNEL_ENV ?? [],
    activityIntervalSeconds: e.ORRERY_ACTIVITY_INTERVAL,
    cullSchedule: e.ORRERY_CULL_SCHEDULE,
    launchPollMs: e.ORRERY_LAUNCH_POLL_MS,
    webDist: e.ORRERY_WEB_DIST,
    warmRunners: { size: e.ORRERY_WARM_RUNNERS, kernels: e.ORRERY_WARM_KERNELS },
    warmServers: e.ORRERY_WARM_SERVERS,
  };
};
