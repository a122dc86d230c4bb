// Bundles every Lambda entry the CDK app deploys with the build OrreryFunction runs (`buildLambda` in
// infra/lib/constructs/bundling.ts: ESM split into chunks, minified, a require() shim, nothing external but
// Node's own modules, so the AWS SDK and everything else is in the chunks), and prints per entry what a cold
// start loads (the entry chunk with its static imports), the size of all chunks (lazily imported ones
// included), and the time to import the entry in a fresh Node process (median of 10), against the aims of
// 250 KB and 100 ms, then a total line and the machine's load average before and after (import times on a
// shared machine move with it). The import runs the entry's cold start (configuration, clients); it reads no
// secret (the variables that name secrets are unset) and calls no AWS API. A deployed function whose
// environment names a secret loads the Secrets Manager client's chunk during its init as well: for those the
// line adds what init loads. `--why` lists the heaviest packages a cold start loads, and those left to lazy chunks.
// Usage: npm run bench:bundles [-- --runs 10 --why]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Metafile } from 'esbuild';
import { loadInfraConfig } from '../../infra/lib/config.ts';
import { makeApp } from '../../infra/lib/app.ts';
import {
  buildLambda,
  chunksOf,
  coldStartChunks,
  LAMBDA_ENTRY_FILE,
  packageOf,
} from '../../infra/lib/constructs/bundling.ts';
import { OrreryFunction, REPO_ROOT } from '../../infra/lib/constructs/orrery-function.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, why: { type: 'boolean', default: false } },
});
const AIM_KB = 250;
const AIM_MS = 100;
// What a deployed function's environment holds, so importing the bundle runs its start-up as in Lambda.
const ENV = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  ORRERY_TABLE: 'orrery',
  ORRERY_BUCKET: 'orrery-notebooks',
  ORRERY_CURSOR_SECRET: 'x'.repeat(48),
  ORRERY_LOG_LEVEL: 'silent',
  ORRERY_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-run-notebook',
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-stop-run',
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-launch-server',
  ORRERY_EKS_CLUSTER: 'data-platform',
  ORRERY_EKS_ENDPOINT: 'https://eks.example.com',
  ORRERY_SERVER_PUBLIC_URL: 'https://servers.example.com',
  ORRERY_PUBLIC_API_URL: 'https://api.example.com/api',
};

// The variables by which the CDK app names a secret a function reads at cold start (config/cloud-config.ts).
const SECRET_VARIABLES = ['ORRERY_CURSOR_SECRET_ARN', 'ORRERY_SLACK_WEBHOOK_SECRET_NAME'];

// Whether a function's environment names a secret, so its init reads one.
const readsSecret = (fn: OrreryFunction): boolean => {
  const environment = Stack.of(fn).resolve((fn.node.defaultChild as CfnFunction).environment) as
    | { variables?: Record<string, unknown> }
    | undefined;
  return SECRET_VARIABLES.some((name) => name in (environment?.variables ?? {}));
};

interface Deployed {
  functions: string[];
  readsSecret: boolean;
}

// The entries and handlers of the functions the app deploys, read from the app itself (built without bundling).
const deployedEntries = (): Map<string, Deployed> => {
  const outdir = mkdtempSync(join(tmpdir(), 'orrery-bench-cdk-'));
  try {
    const { app } = makeApp(loadInfraConfig(join(REPO_ROOT, 'infra', 'orrery.config.example.json')), {
      bundle: false,
      outdir,
    });
    const entries = new Map<string, Deployed>();
    for (const fn of app.node.findAll().filter((c): c is OrreryFunction => c instanceof OrreryFunction)) {
      const seen = entries.get(fn.entry) ?? { functions: [], readsSecret: false };
      entries.set(fn.entry, {
        functions: [...seen.functions, fn.node.id],
        readsSecret: seen.readsSecret || readsSecret(fn),
      });
    }
    return entries;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

// The chunks a secret read adds to a cold start: the chunk of the Secrets Manager reader's import() and its static
// imports.
const secretChunks = (metafile: Metafile, outdir: string, chunks: ReturnType<typeof chunksOf>): string[] => {
  const reader = Object.entries(metafile.outputs).find(([, output]) =>
    output.entryPoint?.endsWith('secrets-manager-secret-reader.ts'),
  );
  return reader ? coldStartChunks(chunks, relative(outdir, resolve(reader[0]))) : [];
};

const importMs = (file: string): number =>
  Number(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`,
      ],
      { env: ENV },
    )
      .toString()
      .trim(),
  );

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const kb = (bytes: number) => Math.round(bytes / 1024);

// Bytes by package over the given chunks ('orrery' for our own code).
const heaviest = (metafile: Metafile, outdir: string, chunks: Set<string>, top = 6) => {
  const byPackage = new Map<string, number>();
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (!chunks.has(relative(outdir, resolve(path)))) continue;
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(file) ?? 'orrery';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, bytes]) => `${name} ${kb(bytes)}`)
    .join(', ');
};

const load = () => loadavg()[0]!.toFixed(2);

const main = async () => {
  const root = mkdtempSync(join(tmpdir(), 'orrery-bundles-'));
  const rows = [];
  const loadBefore = load();
  try {
    for (const [entry, { functions, readsSecret }] of deployedEntries()) {
      const outdir = join(root, entry.split('/').at(-1)!.replace(/\.ts$/, ''));
      mkdirSync(outdir);
      const metafile = buildLambda(join(REPO_ROOT, entry), outdir);
      const chunks = chunksOf(metafile, outdir);
      const cold = new Set(coldStartChunks(chunks));
      const coldKb = kb([...cold].reduce((sum, path) => sum + chunks.get(path)!.bytes, 0));
      const totalKb = kb([...chunks.values()].reduce((sum, chunk) => sum + chunk.bytes, 0));
      const init = new Set([...cold, ...(readsSecret ? secretChunks(metafile, outdir, chunks) : [])]);
      const initKb = kb([...init].reduce((sum, path) => sum + chunks.get(path)!.bytes, 0));
      const ms = Math.round(
        median(Array.from({ length: Number(values.runs) }, () => importMs(join(outdir, LAMBDA_ENTRY_FILE)))),
      );
      rows.push({
        entry,
        functions,
        coldStartKb: coldKb,
        initWithSecretKb: readsSecret ? initKb : null,
        totalKb,
        chunks: chunks.size,
        importMedianMs: ms,
        aimMet: coldKb <= AIM_KB && ms <= AIM_MS,
      });
      const secret = readsSecret ? `, ${initKb} KB at init with its secret read` : '';
      console.log(
        `${entry}: cold start ${coldKb} KB (${cold.size} of ${chunks.size} chunks${secret}), ` +
          `all chunks ${totalKb} KB, import median ${ms} ms (of ${values.runs}) — ${functions.join(', ')}`,
      );
      if (values.why) {
        console.log(`  cold start (KB): ${heaviest(metafile, outdir, cold)}`);
        console.log(
          `  lazy (KB): ${heaviest(metafile, outdir, new Set([...chunks.keys()].filter((path) => !cold.has(path))))}`,
        );
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const met = rows.filter((r) => r.aimMet).length;
  console.log(
    `total: ${rows.length} entries, cold start ${rows.reduce((sum, r) => sum + r.coldStartKb, 0)} KB, ` +
      `all chunks ${rows.reduce((sum, r) => sum + r.totalKb, 0)} KB, ${met} within ${AIM_KB} KB and ${AIM_MS} ms`,
  );
  const loadAfter = load();
  console.log(`load average (1 min): ${loadBefore} before, ${loadAfter} after`);
  console.log(JSON.stringify({ bundles: rows, load: { before: Number(loadBefore), after: Number(loadAfter) } }));
};

await main();
