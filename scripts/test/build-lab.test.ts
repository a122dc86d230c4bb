import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLabBuild } from '../local/lab-build.ts';

// scripts/build-lab.mjs decides when lab/ needs `npm ci` and a build. Here it runs against a copy of lab/'s shape in a
// temporary folder (ORRERY_LAB_DIR), with file times set by hand: the real install and build are the browser tests'.
const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'build-lab.mjs');

let lab: string;

/** Writes a file of the fake lab/ with its modification time `at` seconds after the epoch of the test. */
const put = (path: string, at: number, text = '') => {
  const file = join(lab, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  utimesSync(file, 1_700_000_000 + at, 1_700_000_000 + at);
};

const buildLab = (...args: string[]) => {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], {
    env: { ...process.env, ORRERY_LAB_DIR: lab },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
};

const plan = () => JSON.parse(buildLab('--status').stdout);

/** lab/ as a finished install and build leave it: sources (t=10), lockfile (20), install (30), build (40). */
const builtLab = () => {
  put('package.json', 10, '{}');
  put('app/index.js', 10);
  put('extension/src/index.ts', 10);
  put('package-lock.json', 20, '{}');
  put('node_modules/.package-lock.json', 30, '{}');
  put('build/bundle.js', 40);
  put('build/orrery-lab.json', 40, '{}');
};

beforeEach(() => {
  lab = mkdtempSync(join(tmpdir(), 'orrery-lab-'));
});
afterEach(() => rmSync(lab, { recursive: true, force: true }));

describe('the JupyterLab build script', () => {
  it('installs and builds a checkout that has neither', () => {
    // Prepare
    put('package.json', 10, '{}');
    put('package-lock.json', 20, '{}');
    put('app/index.js', 10);
    // Act
    const answer = plan();
    // Assess
    expect(answer).toEqual({ install: true, build: true, reason: 'first build' });
  });

  it('does nothing when the build is newer than its sources and the install, and writes no log', () => {
    // Prepare
    builtLab();
    // Act
    const answer = plan();
    const run = buildLab('--if-stale');
    // Assess
    expect(answer).toEqual({ install: false, build: false, reason: null });
    expect([run.status, run.stdout, run.stderr]).toEqual([0, '', '']);
    expect(existsSync(join(lab, 'build.log'))).toBe(false);
  });

  it('rebuilds when the app or the Orrery extension changed since the build, without a new install', () => {
    // Prepare
    builtLab();
    put('extension/src/menu.ts', 50);
    // Act
    const answer = plan();
    // Assess
    expect(answer).toEqual({
      install: false,
      build: true,
      reason: 'lab/app or lab/extension changed since the last build',
    });
  });

  it('ignores what is not a source of the bundle: installs, outputs, tests and the Python side', () => {
    // Prepare
    builtLab();
    put('extension/node_modules/x/index.js', 50);
    put('extension/lib/index.js', 50);
    put('extension/tests/menu.test.ts', 50);
    put('orrery_lab/handlers.py', 50);
    put('build.log', 50);
    // Act
    const answer = plan();
    // Assess
    expect(answer.build).toBe(false);
  });

  it('installs again and rebuilds when the lockfile is newer than the install', () => {
    // Prepare
    builtLab();
    put('package-lock.json', 60, '{}');
    // Act
    const answer = plan();
    // Assess
    expect(answer).toEqual({ install: true, build: true, reason: 'lab/package-lock.json changed' });
  });

  it('builds when the last build was left without its manifest (it stopped half-way)', () => {
    // Prepare
    builtLab();
    rmSync(join(lab, 'build', 'orrery-lab.json'));
    // Act
    const answer = plan();
    // Assess
    expect(answer).toEqual({ install: false, build: true, reason: 'first build' });
  });

  it('leaves a failure note naming the cause, frees its lock and keeps the previous build when a build fails', () => {
    // Prepare: installed, but with no rspack in node_modules the build cannot load its bundler.
    builtLab();
    put('app/index.js', 50);
    put('build/bundle.js', 40, 'the previous build');
    // Act
    const run = buildLab('--if-stale');
    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('orrery: building JupyterLab (lab/app or lab/extension changed since the last build)');
    expect(run.stderr).toMatch(/^orrery: the JupyterLab build failed: .*@rspack\/core.* \(log: .*build\.log\)$/m);
    expect(readFileSync(join(lab, '.build-failed'), 'utf8')).toMatch(/@rspack\/core/);
    expect(readFileSync(join(lab, 'build.log'), 'utf8')).toMatch(/build started[\s\S]*build failed/);
    expect(existsSync(join(lab, '.build-lock'))).toBe(false);
    expect(readFileSync(join(lab, 'build', 'bundle.js'), 'utf8')).toBe('the previous build');
  });

  it('takes over a lock whose holder is gone instead of waiting for it', () => {
    // Prepare: a lock left by a process that no longer runs (a pid far above any live one).
    builtLab();
    put('app/index.js', 50);
    put('.build-lock/pid', 50, '4194000');
    // Act
    const run = buildLab('--if-stale');
    // Assess: it went on to build (and failed for want of rspack), rather than waiting for the lock.
    expect(run.stdout).toContain('orrery: building JupyterLab');
    expect(existsSync(join(lab, '.build-lock'))).toBe(false);
  });
});

describe('npm start’s background JupyterLab build', () => {
  it('starts no build when lab/build is current, and its banner names the build', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'orrery-root-'));
    mkdirSync(join(root, 'scripts'));
    writeFileSync(
      join(root, 'scripts', 'build-lab.mjs'),
      'console.log(JSON.stringify({ install: false, build: false, reason: null }));',
    );
    try {
      // Act
      const started = startLabBuild(root);
      // Assess
      expect(started.child).toBeNull();
      expect(started.banner).toBe(`JupyterLab: ${join(root, 'lab', 'build')}, served at /lab`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('builds in the background when lab/build is stale, and says why and where the log is', async () => {
    // Prepare: a stand-in script that answers --status with a stale plan and records the build it is asked for.
    const root = mkdtempSync(join(tmpdir(), 'orrery-root-'));
    mkdirSync(join(root, 'scripts'));
    writeFileSync(
      join(root, 'scripts', 'build-lab.mjs'),
      [
        "import { writeFileSync } from 'node:fs';",
        "if (process.argv.includes('--status'))",
        "  console.log(JSON.stringify({ install: true, build: true, reason: 'first build' }));",
        "else writeFileSync(new URL('./asked', import.meta.url), process.argv.slice(2).join(' '));",
      ].join('\n'),
    );
    try {
      // Act
      const started = startLabBuild(root);
      const code = await new Promise((resolve) => started.child?.once('exit', resolve));
      // Assess
      expect(started.banner).toBe(
        `JupyterLab: building in the background (first build; about a minute; log: ${join(root, 'lab', 'build.log')})`,
      );
      expect(code).toBe(0);
      expect(readFileSync(join(root, 'scripts', 'asked'), 'utf8')).toBe('--if-stale');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the JupyterLab pins', () => {
  it('keep lab/, its lockfile, the builder’s core metadata and the notebook-server image on one JupyterLab minor', () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(join(ROOT, 'lab', 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(ROOT, 'lab', 'package-lock.json'), 'utf8'));
    const dockerfile = readFileSync(join(ROOT, 'images', 'notebook-server', 'Dockerfile'), 'utf8');
    // Act
    const ranges = Object.entries<string>(pkg.dependencies).filter(([name]) => name.startsWith('@jupyterlab/'));
    const minorOf = (version: string) => version.split('.').slice(0, 2).join('.');
    const app = lock.packages['node_modules/@jupyterlab/application'].version as string;
    const coreMeta = lock.packages['node_modules/@jupyterlab/core-meta'].version as string;
    const image = /^ARG JUPYTERLAB_VERSION=(\d+\.\d+)\.\*$/m.exec(dockerfile)?.[1];
    // Assess
    expect(ranges.length).toBeGreaterThan(30);
    expect(ranges.filter(([, range]) => !/^~\d+\.\d+\.\d+$/.test(range))).toEqual([]);
    expect([minorOf(app), minorOf(coreMeta), image]).toEqual(['4.6', '4.6', '4.6']);
  });
});
