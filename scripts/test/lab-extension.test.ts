import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureLabBuilt, LAB_BUILD_TIMEOUT_MS } from '../../web/e2e/support/lab-build.ts';

// The Orrery JupyterLab extension (lab/extension) compiles against lab/'s own @jupyterlab/* packages, which the root
// tsconfig cannot see; the bundler strips types without checking them, so this is where a type error fails.
const ROOT = join(import.meta.dirname, '..', '..');
const LAB = join(ROOT, 'lab');

describe('the Orrery JupyterLab extension', () => {
  beforeAll(() => ensureLabBuilt(), LAB_BUILD_TIMEOUT_MS);

  it('type-checks against the @jupyterlab packages lab/ pins', () => {
    // Act
    const tsc = join(LAB, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', join(LAB, 'extension', 'tsconfig.json'), '--noEmit'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    // Assess
    expect(existsSync(tsc), 'lab/node_modules has typescript').toBe(true);
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  });

  it('asks for the @jupyterlab minors lab/ pins, so the prebuilt extension matches the app it is built with', () => {
    // Prepare
    const app = JSON.parse(readFileSync(join(LAB, 'package.json'), 'utf8')).dependencies as Record<string, string>;
    const extension = JSON.parse(readFileSync(join(LAB, 'extension', 'package.json'), 'utf8'));
    // Act
    const differing = Object.entries(extension.dependencies as Record<string, string>).filter(
      ([name, range]) => app[name] !== range,
    );
    // Assess
    expect(differing).toEqual([]);
    expect(extension.jupyterlab).toMatchObject({ extension: true });
  });
});
