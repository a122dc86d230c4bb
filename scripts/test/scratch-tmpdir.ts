import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Points every test's temporary files into one directory of this run and removes it when the run ends.
 *
 * Tests make scratch directories (CDK assemblies of ~23 MB each, configs, emulator data) through `os.tmpdir()`,
 * and CDK makes its own when an App has no outdir; left behind, they filled the disk after a few dozen runs.
 * vitest runs this before it forks the test workers, which inherit TMPDIR, as do the Jupyter and Chromium
 * processes they start. What a run keeps on purpose (the fault suites' reports) goes in ORRERY_TEST_OUTER_TMPDIR.
 */
export function setup(): () => void {
  const outer = tmpdir();
  const dir = mkdtempSync(join(outer, 'orrery-test-'));
  // As /tmp itself: tests drop privileges to other users (the runner, the credentials sidecar) in folders below.
  chmodSync(dir, 0o1777);
  const restore = setEnv({ TMPDIR: dir, ORRERY_TEST_OUTER_TMPDIR: outer });
  return () => {
    restore();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}

const setEnv = (values: Record<string, string>): (() => void) => {
  const before = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
};
