import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setup } from './scratch-tmpdir.ts';

describe('the test run’s scratch directory', () => {
  it('holds this worker’s temporary files, so nothing a test leaves behind outlives the run', () => {
    expect(basename(tmpdir())).toMatch(/^orrery-test-/);
  });

  it('is removed with everything in it when the run ends, and TMPDIR is given back', () => {
    const before = process.env.TMPDIR;
    const teardown = setup();
    const dir = process.env.TMPDIR as string;
    const left = mkdtempSync(join(tmpdir(), 'left-behind-'));
    expect(dirname(left)).toBe(dir);
    teardown();
    expect(existsSync(dir)).toBe(false);
    expect(process.env.TMPDIR).toBe(before);
    rmSync(left, { recursive: true, force: true });
  });
});
