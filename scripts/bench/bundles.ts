// Bundles every Lambda entry the CDK app deploys, with the options OrreryFunction gives NodejsFunction
// (infra/lib/constructs/bundling.ts: ESM, minified, a require() shim, nothing external but Node's own
// modules, so the AWS SDK and everything else is in the file), and prints each bundle's size and the time
// to import it in a fresh Node process (median of 10), against the deployment issue's aims of 250 KB and
// 100 ms, then a total line. The import runs the entry's cold start (configuration, clients); it reads no
// secret (the variables that name secrets are unset) and calls no AWS API. `--why` lists each bundle's
// heaviest packages from esbuild's metafile.
// Usage: npm run bench:bundles [-- --runs 10 --why]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { loadInfraConfig } from '../../infra/lib/config.ts';
import { makeApp } from '../../infra/lib/app.ts';
import { lambdaEsbuildOptions } from '../../infra/lib/constructs/bundling.ts';
import { OrreryFunction, REPO_ROOT } from '../../infra/lib/constructs/orrery-function.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, why: { type: 'boolean', default: false } } });
const AIM_KB = 250;
const AIM_MS = 100;
// What a deployed function's environment holds, so importing the bundle runs its start-up as in Lambda.
const ENV = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'eu-west-1', ORRERY_TABLE: 'orrery', ORRERY_BUCKET: 'orrery-notebooks', ORRERY_CURSOR_SECRET: 'x'.repeat(48), ORRERY_LOG_LEVEL: 'silent',
  ORRERY_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-run-notebook',
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-stop-run',
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-launch-server',
  ORRERY_EKS_CLUSTER: 'data-platform', ORRERY_EKS_ENDPOINT: 'https://eks.example.com', ORRERY_SERVER_PUBLIC_URL: 'https://servers.example.com', ORRERY_PUBLIC_API_URL: 'https://api.example.com/api',
};

// The entries and handlers of the functions the app deploys, read from the app itself (built without bundling).
const deployedEntries = (): Map<string, string[]> => {
  const outdir = mkdtempSync(join(tmpdir(), 'orrery-bench-cdk-'));
  try {
    const { app } = makeApp(loadInfraConfig(join(REPO_ROOT, 'infra', 'orrery.config.example.json')), { bundle: false, outdir });
    const entries = new Map<string, string[]>();
    for (const fn of app.node.findAll().filter((c): c is OrreryFunction => c instanceof OrreryFunction)) entries.set(fn.entry, [...(entries.get(fn.entry) ?? []), fn.node.id]);
    return entries;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

const importMs = (file: string): number =>
  Number(execFileSync(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`], { env: ENV }).toString().trim());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const heaviest = (metafile: Metafile, top = 6) => {
  const byPackage = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(Object.values(metafile.outputs)[0]!.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'orrery';
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, bytes]) => `${name} ${Math.round(bytes / 1024)}`).join(', ');
};

const main = async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'orrery-bundles-'));
  const rows = [];
  try {
    for (const [entry, functions] of deployedEntries()) {
      const outfile = join(outdir, `${entry.split('/').at(-1)!.replace(/\.ts$/, '')}.mjs`);
      const { metafile } = await build({ ...lambdaEsbuildOptions(join(REPO_ROOT, entry), outfile), metafile: true });
      const kb = Math.round(statSync(outfile).size / 1024);
      const ms = Math.round(median(Array.from({ length: Number(values.runs) }, () => importMs(outfile))));
      rows.push({ entry, functions, kb, importMedianMs: ms, aimMet: kb <= AIM_KB && ms <= AIM_MS });
      console.log(`${entry}: ${kb} KB minified, import median ${ms} ms (of ${values.runs}) — ${functions.join(', ')}`);
      if (values.why) console.log(`  heaviest (KB): ${heaviest(metafile!)}`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const met = rows.filter((r) => r.aimMet).length;
  console.log(`total: ${rows.length} bundles, ${rows.reduce((sum, r) => sum + r.kb, 0)} KB, ${met} within ${AIM_KB} KB and ${AIM_MS} ms`);
  console.log(JSON.stringify({ bundles: rows }));
};

await main();
