import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setup } from './scratch-tmpdir.ts';

describe('the test run’s scratch directory', () => {
  it('holds this worker’s temporary files, so nothing a test leaves behind outlives the run', () => {
    expect(basename(tmpdir())).toMatch(/^orrery-test-/);
    expect(dirname(tmpdir())).toBe(process.env.ORRERY_TEST_OUTER_TMPDIR);
    // Open to every user, sticky, as /tmp: a runner or sidecar that drops privileges must reach its folder below.
    expect(statSync(tmpdir()).mode & 0o7777).toBe(0o1777);
  });

  it('is removed with everything in it when the run ends, and TMPDIR is given back', () => {
    const before = { TMPDIR: process.env.TMPDIR, ORRERY_TEST_OUTER_TMPDIR: process.env.ORRERY_TEST_OUTER_TMPDIR };
    const teardown = setup();
    const dir = process.env.TMPDIR as string;
    expect(process.env.ORRERY_TEST_OUTER_TMPDIR).toBe(before.TMPDIR);
    const left = mkdtempSync(join(tmpdir(), 'left-behind-'));
    expect(dirname(left)).toBe(dir);
    teardown();
    expect(existsSync(dir)).toBe(false);
    expect(process.env.TMPDIR).toBe(before.TMPDIR);
    expect(process.env.ORRERY_TEST_OUTER_TMPDIR).toBe(before.ORRERY_TEST_OUTER_TMPDIR);
    rmSync(left, { recursive: true, force: true });
  });
});
