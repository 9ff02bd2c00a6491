import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const vitestBin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const fixtureConfig = fileURLToPath(
  new URL('./fixtures/hook-failures/vitest.config.ts', import.meta.url),
);

/** Runs a separate Vitest on one fixture file with only the summary reporter; resolves its exit code and last line. */
function runFixture(file: string): Promise<{ code: number | null; closingLine: string }> {
  // The child must not believe it runs inside this worker.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'TEST'),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [vitestBin, 'run', '--config', fixtureConfig, file],
      { cwd: root, env, timeout: 60_000 },
      (error, stdout) => {
        const lines = stdout.split('\n').filter((line) => line.trim() !== '');
        resolve({
          code: error ? ((error as { code?: number }).code ?? null) : 0,
          closingLine: lines.at(-1) ?? '',
        });
      },
    );
  });
}

describe('summary reporter closing line', () => {
  it('counts a throwing beforeAll as a failure, and the tests it kept from running as skipped', async () => {
    const { code, closingLine } = await runFixture('before-all-throws.fixture.ts');
    expect(closingLine).toBe('0 passed, 1 failed, 2 skipped');
    expect(code).toBe(1);
  }, 60_000);

  it('counts a throwing afterAll as a failure beside the tests that passed', async () => {
    const { code, closingLine } = await runFixture('after-all-throws.fixture.ts');
    expect(closingLine).toBe('1 passed, 1 failed');
    expect(code).toBe(1);
  }, 60_000);

  it('counts a file that fails to load as a failure', async () => {
    const { code, closingLine } = await runFixture('load-fails.fixture.ts');
    expect(closingLine).toBe('0 passed, 1 failed');
    expect(code).toBe(1);
  }, 60_000);
});
