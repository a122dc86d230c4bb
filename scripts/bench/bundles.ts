// Bundles every Lambda entry the way infra's OrreryFunction does (the local esbuild: ESM, minified,
// node22, a require() shim) and prints each bundle's size and the time to import it in a fresh Node
// process (median of 10), against the CDK issue's aims of 250 KB and 100 ms.
// Usage: npm run bench:bundles [-- --runs 10]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const ROOT = join(import.meta.dirname, '..', '..');
const ENTRIES = [
  'functions/src/handlers/http/api-lambda.ts',
  'functions/src/handlers/tasks/run-tasks-lambda.ts',
  'functions/src/handlers/tasks/server-tasks-lambda.ts',
  'functions/src/handlers/scheduled/cull-idle-lambda.ts',
];
// What a deployed function's environment holds, so importing the bundle runs its start-up as in Lambda.
const ENV = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'eu-west-1', ORRERY_TABLE: 'orrery', ORRERY_BUCKET: 'orrery-notebooks', ORRERY_CURSOR_SECRET: 'x'.repeat(48), ORRERY_LOG_LEVEL: 'silent',
  ORRERY_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-run-notebook',
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-stop-run',
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orrery-launch-server',
};

const bundle = async (entry: string, outdir: string) => {
  const outfile = join(outdir, `${entry.split('/').at(-1)!.replace(/\.ts$/, '')}.mjs`);
  await build({
    entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, outfile, logLevel: 'error', mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
};

const importMs = (file: string): number =>
  Number(execFileSync(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`], { env: ENV }).toString().trim());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const main = async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'orrery-bundles-'));
  const rows = [];
  try {
    for (const entry of ENTRIES) {
      const file = await bundle(entry, outdir);
      const kb = Math.round(statSync(file).size / 1024);
      const times = Array.from({ length: Number(values.runs) }, () => importMs(file));
      rows.push({ entry, kb, importMedianMs: Math.round(median(times)), aimMet: kb <= 250 && median(times) <= 100 });
      console.log(`${entry}: ${kb} KB minified, import median ${median(times).toFixed(0)} ms (of ${times.length})`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ bundles: rows }));
};

await main();
