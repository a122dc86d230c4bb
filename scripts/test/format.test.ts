import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The formatter and linter (biome.jsonc) run with `npm test`, so CI's closing line counts them.
const ROOT = join(import.meta.dirname, '..', '..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const GOVERNED = ['functions', 'infra', 'web', 'scripts'];
const SKIPPED_DIRS = /^(node_modules|dist|dist\..*|cdk\.out)$/;

interface BiomeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `biome ci` in `cwd` (its biome.jsonc applies); a non-zero exit is an answer, not an error. */
const biomeCi = (cwd: string, reporter: 'github' | 'default'): Promise<BiomeRun> =>
  new Promise((resolve, reject) => {
    const args = ['ci', '--colors=off', `--reporter=${reporter}`, '--max-diagnostics=none', '.'];
    execFile(BIOME, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? err.code : 0;
      if (typeof code !== 'number') reject(err);
      else resolve({ code, stdout, stderr });
    });
  });

/** The findings of a GitHub-reporter run, one line each: `file:line rule: message`. */
const findingsOf = (cwd: string, stdout: string): string[] =>
  [...stdout.matchAll(/^::\w+ title=([^,]+),file=([^,]+),line=(\d+)[^:]*::(.*)$/gm)].map(
    ([, rule, file, line, message]) => `${relative(cwd, file!)}:${line} ${rule}: ${message}`,
  );

const codeFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIPPED_DIRS.test(e.name) ? [] : codeFiles(join(dir, e.name));
    return /\.(ts|tsx|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [];
  });

describe('the formatter and linter (biome.jsonc)', () => {
  it('find nothing to fix in functions/, infra/, web/, scripts/ or the root files, listing any finding', async () => {
    // Prepare
    const cwd = ROOT;

    // Act
    const run = await biomeCi(cwd, 'github');

    // Assess
    expect(findingsOf(cwd, run.stdout), run.stderr).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
  });

  it('check every code file of functions/, infra/, web/ and scripts/: a scope that lost some cannot pass', async () => {
    // Prepare
    const expected = GOVERNED.flatMap(codeFiles);

    // Act
    const run = await biomeCi(ROOT, 'default');
    const checked = Number(/Checked (\d+) files?/.exec(run.stderr)?.[1] ?? 0);

    // Assess
    expect(expected.length).toBeGreaterThan(400);
    expect(checked).toBeGreaterThanOrEqual(expected.length);
  });

  describe('on a file that breaks them', () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'orrery-biome-'));
      copyFileSync(join(ROOT, 'biome.jsonc'), join(dir, 'biome.jsonc'));
      writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
      mkdirSync(join(dir, 'functions', 'src'), { recursive: true });
      // A line past 120 characters that the formatter would break, and a loose equality the linter refuses.
      const long = `export const names = [${Array.from({ length: 8 }, (_, i) => `'name-number-${i}'`).join(', ')}];`;
      writeFileSync(
        join(dir, 'functions', 'src', 'probe.ts'),
        `${long}\nexport const same = (a: number, b: number) => a == b;\n`,
      );
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fail and name the file, the formatting and the rule', async () => {
      // Prepare
      const cwd = dir;

      // Act
      const run = await biomeCi(cwd, 'github');

      // Assess
      expect(run.code).not.toBe(0);
      expect(findingsOf(cwd, run.stdout)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^functions\/src\/probe\.ts:1 format: /),
          expect.stringMatching(/^functions\/src\/probe\.ts:2 lint\/suspicious\/noDoubleEquals: /),
        ]),
      );
    });
  });
});
