// `npm run build:web`: builds the portal into web/dist. With --if-stale (what `npm start` and the browser tests
// use) it builds only when web/dist is missing or older than a file under web/. Node built-ins and Vite only.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const dist = join(web, 'dist');
const lock = join(web, '.build-lock');
// Not sources of the bundle: its output, the browser tests and their screenshots, and docs.
const IGNORED = new Set(['dist', 'e2e', 'node_modules', '.build-lock', 'README.md']);

const newestSource = (dir) => {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (IGNORED.has(entry.name) || entry.name.startsWith('dist.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
};

const stale = () =>
  !existsSync(join(dist, 'index.html')) || newestSource(web) > statSync(join(dist, 'index.html')).mtimeMs;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Test files run in parallel processes: one builds, the others wait for it and then find the build fresh.
const takeLock = async () => {
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A build that crashed leaves its lock behind; no build takes five minutes.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 300_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(250);
    }
  }
};

const build = async () => {
  // Vite honours NODE_ENV, and test runners set it to "test": that would ship React's development build.
  process.env.NODE_ENV = 'production';
  const { build: viteBuild } = await import('vite');
  const started = Date.now();
  // Built beside dist and swapped in, so a running server never serves half a build.
  const next = join(web, `dist.${process.pid}`);
  try {
    await viteBuild({ root: web, logLevel: 'warn', build: { outDir: next, emptyOutDir: true } });
  } catch (err) {
    rmSync(next, { recursive: true, force: true });
    throw err;
  }
  const old = join(web, `dist.old.${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(next, dist);
  rmSync(old, { recursive: true, force: true });
  console.log(`orrery: portal built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
};

const main = async () => {
  const ifStale = process.argv.includes('--if-stale');
  if (!existsSync(join(web, 'index.html'))) {
    console.error(
      'orrery: web/index.html is missing, so there is no portal to build; local mode serves its plain sign-in page',
    );
    if (!ifStale) process.exitCode = 1;
    return;
  }
  if (ifStale && !stale()) return;
  await takeLock();
  try {
    if (ifStale && !stale()) return;
    if (ifStale)
      console.log(
        `orrery: building the web portal ` +
          `(${existsSync(join(dist, 'index.html')) ? 'web/ changed since the last build' : 'first build'})`,
      );
    await build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
};

main().catch((err) => {
  console.error(`orrery: the portal build failed: ${err?.message ?? err}`);
  process.exit(1);
});
