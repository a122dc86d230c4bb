// A new user's first `npm start`, measured: clones this repository's HEAD into a temporary folder, runs `npm start`
// there and prints how long until the portal answers and until JupyterLab is built (the target: the first
// start serves within 2 minutes). With --cold-cache npm gets an empty cache, as on a fresh machine (every package
// then comes from the registry). Usage: node --import tsx scripts/bench/first-start.ts [--cold-cache] [--port 8190]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { 'cold-cache': { type: 'boolean', default: false }, port: { type: 'string', default: '8190' } },
});
const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'orrery-bench-first-start-'));
const clone = join(scratch, 'orrery');
const LIMIT_MS = 15 * 60_000;

const du = (path: string) => spawnSync('du', ['-sm', path], { encoding: 'utf8' }).stdout.split('\t')[0] ?? '?';
const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

try {
  spawnSync('git', ['clone', '--quiet', root, clone], { stdio: 'inherit' });
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: values.port, CI: '' };
  if (values['cold-cache']) env.npm_config_cache = join(scratch, 'npm-cache');
  // `npm run -s bench:…` would make the clone's npm silent too, hiding the install's own summary line.
  delete env.npm_config_loglevel;
  const started = Date.now();
  const marks: Record<string, number> = {};
  const child = spawn('npm', ['start'], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = (line: string) => {
    const at = Date.now() - started;
    if (/added \d+ packages?/.test(line) && marks.installed === undefined) marks.installed = at;
    if (line.includes('Orrery is running at')) marks.serving = at;
    if (line.includes('JupyterLab built into')) marks.lab = at;
    if (line.includes('the JupyterLab build failed')) marks.labFailed = at;
  };
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', seen);
  const deadline = Date.now() + LIMIT_MS;
  while (marks.lab === undefined && marks.labFailed === undefined && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const portal = marks.serving === undefined ? 0 : (await fetch(`http://127.0.0.1:${values.port}/`)).status;
  process.kill(-child.pid!, 'SIGINT');
  await new Promise((resolve) => child.once('close', resolve));
  console.log(`first npm start (${values['cold-cache'] ? 'empty npm cache' : "this machine's npm cache"}):`);
  console.log(`  root install done     ${seconds(marks.installed)}`);
  console.log(`  portal serving        ${seconds(marks.serving)} (GET / answered ${portal})`);
  console.log(`  JupyterLab built      ${seconds(marks.lab)}${marks.labFailed ? ' (the build failed)' : ''}`);
  console.log(`  lab/node_modules      ${du(join(clone, 'lab', 'node_modules'))} MB`);
  console.log(`  lab/build             ${du(join(clone, 'lab', 'build'))} MB`);
  console.log(
    `  load average          ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
