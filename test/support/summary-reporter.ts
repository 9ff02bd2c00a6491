import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the plain closing line CI reads (`N passed, N failed, N skipped`), since
 * Vitest's own summary is not a format CI understands.
 *
 * "Failed" counts every failure, not only failed tests: a failed test, each error Vitest
 * attaches to a file or a suite (a throwing `beforeAll` or `afterAll`, a file that fails
 * to load), and each error outside any test (an unhandled rejection). Tests that a
 * throwing `beforeAll` kept from running stay in "skipped"; the hook's error is what
 * makes the line fail. A file Vitest marks failed always adds at least one failure.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = errors.length;
    let skipped = 0;
    for (const module of modules) {
      let moduleFailures = module.errors().length;
      for (const suite of module.children.allSuites()) moduleFailures += suite.errors().length;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') moduleFailures++;
        else skipped++;
      }
      if (module.state() === 'failed' && moduleFailures === 0) moduleFailures = 1;
      failed += moduleFailures;
    }
    process.stdout.write(
      `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}
