import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Points every test's temporary files into one directory of this run and removes it when the run ends.
 *
 * Tests make scratch directories (CDK assemblies of ~23 MB each, configs, emulator data) through `os.tmpdir()`,
 * and CDK makes its own when an App has no outdir; left behind, a few dozen runs filled the disk CI shares.
 * vitest runs this before it forks the test workers, which inherit TMPDIR, as do the Jupyter and Chromium
 * processes they start.
 */
export function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
