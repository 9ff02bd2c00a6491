import { describe, expect, it } from 'vitest';
import { afterWorkerExit, DEFAULT_RESTART_POLICY } from './restart-policy.js';

describe('afterWorkerExit (when the primary replaces a dead worker)', () => {
  const { stableAfterMs, maxQuickFailures } = DEFAULT_RESTART_POLICY;

  it('restarts a worker that served for a while after the first delay, starting a new count', () => {
    expect(afterWorkerExit(3, stableAfterMs + 1, true)).toEqual({
      action: 'restart',
      delayMs: 100,
      failures: 1,
    });
  });

  it('doubles the delay for each quick death in a row, up to the ceiling', () => {
    const delays: number[] = [];
    let failures = 0;
    for (let i = 0; i < maxQuickFailures; i++) {
      const decision = afterWorkerExit(failures, 50, true, {
        ...DEFAULT_RESTART_POLICY,
        maxDelayMs: 1_000,
      });
      if (decision.action !== 'restart') throw new Error(`gave up after ${i} deaths`);
      delays.push(decision.delayMs);
      failures = decision.failures;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('counts a worker that died before it listened as a quick death, however long it tried', () => {
    expect(afterWorkerExit(1, stableAfterMs * 10, false)).toMatchObject({ failures: 2 });
  });

  it('gives up after maxQuickFailures quick deaths in a row', () => {
    expect(afterWorkerExit(maxQuickFailures, 10, true)).toEqual({
      action: 'give-up',
      failures: maxQuickFailures + 1,
    });
  });
});
