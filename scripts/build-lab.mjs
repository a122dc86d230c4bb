// `npm run build:lab`: builds the JupyterLab local servers serve at /lab (lab/app → lab/build; docs/jupyterlab.md).
// lab/ is an npm project of its own: its packages are installed (`npm ci` in lab/) when lab/package-lock.json is
// newer than the install. With --if-stale (`npm start`, `npm test`, the browser tests) it builds only when
// lab/build is missing or older than its sources; --status prints what it would do, as JSON, and does nothing.
// Node built-ins only: it runs before lab/node_modules exists, and loads rspack from there afterwards.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The tests point it at a copy of lab/ to try its staleness rules.
const lab = process.env.ORRERY_LAB_DIR || join(root, 'lab');
const build = join(lab, 'build');
const lock = join(lab, '.build-lock');
const failedNote = join(lab, '.build-failed');
const logFile = join(lab, 'build.log');
const lockfile = join(lab, 'package-lock.json');
const installed = join(lab, 'node_modules', '.package-lock.json');
// Written last into a build: the mark of a complete one, and its time is the build's time.
const MANIFEST = 'orrery-lab.json';
// The bundle's sources: the app and the Orrery extension. Not sources: outputs, installs, tests, the Python side.
const SOURCE_DIRS = ['app', 'extension'];
const IGNORED = new Set(['node_modules', 'lib', 'build', 'dist', 'labextension', 'tests', 'test', '__pycache__']);
// No cold install and build takes this long, so a lock this old (its holder gone) is a leftover.
const LOCK_STALE_MS = 15 * 60_000;

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;

const newestSource = (dir) => {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (IGNORED.has(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : mtime(path));
  }
  return newest;
};

/** What --if-stale would do, and why: `{ install, build, reason }`. */
const plan = () => {
  const install = !existsSync(installed) || mtime(lockfile) > mtime(installed);
  const builtAt = mtime(join(build, MANIFEST));
  const sources = Math.max(
    ...SOURCE_DIRS.map((d) => (existsSync(join(lab, d)) ? newestSource(join(lab, d)) : 0)),
    mtime(lockfile),
    mtime(join(lab, 'package.json')),
  );
  let reason = null;
  if (!existsSync(join(build, 'bundle.js')) || !builtAt) reason = 'first build';
  else if (install) reason = 'lab/package-lock.json changed';
  else if (sources > builtAt) reason = 'lab/app or lab/extension changed since the last build';
  return { install, build: reason !== null, reason };
};

// The log has the whole story; the console and the failure note (which /lab shows) get its first line.
const firstLine = (err) =>
  String(err?.message ?? err)
    .split('\n')
    .map((line) => line.trim())
    .find(Boolean) ?? 'unknown error';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

// The pid the lock's holder wrote (0 while it has not yet, or when the lock just went).
const lockHolder = () => {
  try {
    return Number.parseInt(readFileSync(join(lock, 'pid'), 'utf8'), 10) || 0;
  } catch {
    return 0;
  }
};

// One build at a time (parallel test files, `npm start` beside `npm test`): the others wait, then find it fresh.
const takeLock = async () => {
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if ((lockHolder() && !alive(lockHolder())) || Date.now() - mtime(lock) > LOCK_STALE_MS)
        rmSync(lock, { recursive: true, force: true });
      await sleep(250);
    }
  }
};

// The last build's log, opened by its first step: --status and a fresh --if-stale leave the previous one.
let logStream = null;
const log = () => {
  logStream ??= createWriteStream(logFile);
  return logStream;
};
const note = (line) => log().write(`${new Date().toISOString()} ${line}\n`);

const install = () =>
  new Promise((resolve, reject) => {
    note('npm ci in lab/');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['ci', '--no-audit', '--no-fund'], { cwd: lab, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log(), { end: false });
    child.stderr.pipe(log(), { end: false });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`npm ci in lab/ failed (exit ${code}); is the npm registry reachable?`)),
    );
  });

const compile = async (out) => {
  process.env.ORRERY_LAB_OUT = out;
  const require = createRequire(join(lab, 'package.json'));
  const { rspack } = require('@rspack/core');
  const configs = require(join(lab, 'app', 'rspack.config.js'));
  const stats = await new Promise((resolve, reject) =>
    rspack(configs).run((err, result) => (err ? reject(err) : resolve(result))),
  );
  log().write(`${stats.toString({ colors: false, preset: 'errors-warnings' })}\n`);
  if (stats.hasErrors()) {
    const first = stats.toJson({ all: false, errors: true }).children?.flatMap((c) => c.errors ?? [])[0];
    throw new Error(`rspack: ${(first?.message ?? 'compilation failed').split('\n')[0]}`);
  }
  const version = JSON.parse(readFileSync(require.resolve('@jupyterlab/application/package.json'), 'utf8')).version;
  return version;
};

const buildOnce = async () => {
  const started = Date.now();
  // Built beside lab/build and swapped in, so a running server never serves half a build.
  const next = join(lab, `build.${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  try {
    const version = await compile(next);
    const manifest = { jupyterlab: version, builtAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000 };
    writeFileSync(join(next, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    rmSync(next, { recursive: true, force: true });
    throw err;
  }
  const old = join(lab, `build.old.${process.pid}`);
  if (existsSync(build)) renameSync(build, old);
  renameSync(next, build);
  rmSync(old, { recursive: true, force: true });
  return (Date.now() - started) / 1000;
};

// Folders a killed build left behind (build.<pid>, build.old.<pid>), once their process is gone.
const removeLeftovers = () => {
  for (const name of readdirSync(lab)) {
    const pid = /^build\.(?:old\.)?(\d+)$/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) rmSync(join(lab, name), { recursive: true, force: true });
  }
};

const run = async (ifStale) => {
  const started = Date.now();
  let todo = plan();
  if (ifStale && !todo.build && !todo.install) return;
  await takeLock();
  const release = () => rmSync(lock, { recursive: true, force: true });
  // Ctrl-C on `npm start` reaches this process too: leave no lock and no half-written folder behind.
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => {
      release();
      removeLeftovers();
      process.exit(130);
    });
  try {
    todo = plan();
    if (ifStale && !todo.build && !todo.install) return;
    removeLeftovers();
    rmSync(failedNote, { force: true });
    note(`build started (${todo.reason ?? 'asked for'})`);
    console.log(
      `orrery: building JupyterLab (${todo.reason ?? 'asked for'}${todo.install ? '; installing lab/ packages first' : ''})` +
        ` — log: ${logFile}`,
    );
    if (todo.install) await install();
    const seconds = await buildOnce();
    const total = ((Date.now() - started) / 1000).toFixed(1);
    note(`built in ${seconds.toFixed(1)} s (${total} s with the install)`);
    console.log(`orrery: JupyterLab built into ${build} in ${total} s; servers serve it at /lab`);
  } catch (err) {
    writeFileSync(failedNote, `${firstLine(err)}\n`);
    note(`build failed: ${err?.stack ?? err}`);
    throw err;
  } finally {
    release();
  }
};

const main = async () => {
  if (process.argv.includes('--status')) {
    console.log(JSON.stringify(plan()));
    return;
  }
  await run(process.argv.includes('--if-stale'));
};

main()
  .catch((err) => {
    console.error(`orrery: the JupyterLab build failed: ${firstLine(err)} (log: ${logFile})`);
    process.exitCode = 1;
  })
  .finally(() => logStream?.end());
