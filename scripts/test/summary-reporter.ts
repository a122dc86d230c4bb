import type { Reporter, TestModule } from 'vitest/node';

/** Prints the plain `N passed, N failed, N skipped` line that CI reads, after vitest's own report. */
export class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = errors.length;
    let skipped = 0;
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failedHere += 1;
        else skipped += 1;
      }
      // A file whose setup (beforeAll, a build, an import) failed marks its tests skipped, not failed:
      // count the file itself, or the line would say 0 failed while vitest exits 1.
      failed += failedHere + (mod.state() === 'failed' && failedHere === 0 ? 1 : 0);
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

// vitest instantiates a reporter file through its default export.
export default SummaryReporter;
