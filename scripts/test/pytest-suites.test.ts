import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitCases, type JunitCase } from './junit-report.ts';

// The Python suites npm test runs, each a folder with its pytest.ini. Every pytest case becomes a vitest case,
// so the summary line counts them; Debian's interpreter with python3-pytest (and, for lab/, its jupyter_server) is
// enough.
const PYTHON = '/usr/bin/python3';
const ROOT = join(import.meta.dirname, '..', '..');
const SUITES = ['images/notebook-runner', 'images/notebook-server', 'lab'];

/** Whether pytest is here; with CI=true its absence is a failure, not a skip. */
const pytestAvailable = (): boolean => {
  const probe = () => spawnSync(PYTHON, ['-c', 'import pytest'], { stdio: 'ignore', timeout: 30_000 });
  const ok = existsSync(PYTHON) && probe().status === 0;
  if (!ok && process.env.CI === 'true') {
    throw new Error('pytest is missing and CI=true: apt-get install python3-pytest');
  }
  return ok;
};

interface PytestRun {
  status: number | null;
  output: string;
  cases: JunitCase[];
}

/** Runs one suite's pytest (no PYTHONPATH, bytecode or cache) and reads its JUnit report. */
const runPytest = (suite: string): PytestRun => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-pytest-'));
  try {
    const report = join(dir, 'junit.xml');
    const args = ['-I', '-B', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${report}`];
    const child = spawnSync(PYTHON, args, { cwd: join(ROOT, suite), encoding: 'utf8', timeout: 120_000 });
    const cases = existsSync(report) ? junitCases(readFileSync(report, 'utf8')) : [];
    return { status: child.status, output: `${child.stdout ?? ''}${child.stderr ?? ''}${child.error ?? ''}`, cases };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const available = pytestAvailable();

for (const suite of SUITES) {
  describe.skipIf(!available)(`pytest ${suite}`, () => {
    const run = available ? runPytest(suite) : { status: null, output: '', cases: [] };

    it('runs to its end and reports a case for every failure', () => {
      // Assess: exit 0 (all passed) or 1 (some failed); 2-5 are usage, internal or collection trouble.
      expect([0, 1], run.output).toContain(run.status);
      expect(run.cases.length, run.output).toBeGreaterThan(0);
      expect(
        run.cases.some((c) => c.outcome === 'failed'),
        run.output,
      ).toBe(run.status === 1);
    });

    for (const pytestCase of run.cases) {
      const test = pytestCase.outcome === 'skipped' ? it.skip : it;
      test(pytestCase.name, () => {
        // Assess
        if (pytestCase.outcome === 'failed') throw new Error(pytestCase.detail);
      });
    }
  });
}

describe('junitCases', () => {
  it("reads passed, failed, errored and skipped cases from pytest's report, with their reasons", () => {
    // Prepare: as pytest 7 writes it.
    const xml = [
      '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="4">',
      '<testcase classname="tests.test_cli" name="test_ok" time="0.000" />',
      '<testcase classname="tests.test_cli" name="test_bad[a&quot;&lt;&gt;]" time="0.001">',
      '<failure message="assert 1 == 2&#10;  + 1">def test_bad(v):\n&gt;   assert 1 == 2</failure></testcase>',
      '<testcase classname="tests.test_cli" name="test_skip" time="0.000">',
      '<skipped type="pytest.skip" message="why">x</skipped></testcase>',
      '<testcase classname="" name="tests.test_broken" time="0.000">',
      '<error message="collection failure">ImportError</error></testcase>',
      '</testsuite></testsuites>',
    ].join('');
    // Act
    const cases = junitCases(xml);
    // Assess
    expect(cases).toEqual([
      { name: 'tests.test_cli › test_ok', outcome: 'passed', detail: '' },
      {
        name: 'tests.test_cli › test_bad[a"<>]',
        outcome: 'failed',
        detail: 'assert 1 == 2\n  + 1\n\ndef test_bad(v):\n>   assert 1 == 2',
      },
      { name: 'tests.test_cli › test_skip', outcome: 'skipped', detail: '' },
      { name: 'tests.test_broken', outcome: 'failed', detail: 'collection failure\n\nImportError' },
    ]);
  });
});
