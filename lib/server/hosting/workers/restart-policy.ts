/**
 * When the primary replaces a dead worker, and when it gives up: a pure decision, tested
 * without processes. A worker that served for a while and died restarts at once-ish; one
 * that keeps dying soon after starting backs off exponentially, and after
 * `maxQuickFailures` in a row the primary stops everything and exits 1, so a supervisor
 * (systemd, Kubernetes) sees the failure instead of a process that looks alive.
 */
export interface RestartPolicy {
  /** Delay before the first restart. */
  firstDelayMs: number;
  /** Ceiling of the doubling delay. */
  maxDelayMs: number;
  /** A worker up at least this long counts as having worked: its death starts a new count. */
  stableAfterMs: number;
  /** Deaths in a row, each soon after a start, that the primary tolerates. */
  maxQuickFailures: number;
}

export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = Object.freeze({
  firstDelayMs: 100,
  maxDelayMs: 5_000,
  stableAfterMs: 10_000,
  maxQuickFailures: 5,
});

export type RestartDecision =
  | { action: 'restart'; delayMs: number; failures: number }
  | { action: 'give-up'; failures: number };

/**
 * What to do once a worker exited on its own. `failures` is the slot's count of deaths in
 * a row so far; `upMs` how long the dead worker ran; `served` whether it got to listen.
 */
export function afterWorkerExit(
  failures: number,
  upMs: number,
  served: boolean,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartDecision {
  const quick = !served || upMs < policy.stableAfterMs;
  const count = quick ? failures + 1 : 1;
  if (count > policy.maxQuickFailures) return { action: 'give-up', failures: count };
  const delayMs = Math.min(policy.firstDelayMs * 2 ** (count - 1), policy.maxDelayMs);
  return { action: 'restart', delayMs, failures: count };
}
