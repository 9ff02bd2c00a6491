/**
 * How long a subscription's confirmation waits for the node to listen on the channel (a
 * Redis SUBSCRIBE reply). Past it the client is confirmed anyway: local delivery works
 * without Redis, and a Redis that does not answer must not hold subscriptions forever.
 */
export const LISTEN_WAIT_MS = 2000;

/**
 * Resolves once `work` settles, or after `ms`, whichever comes first; never rejects.
 * `onError` runs if it rejected, `onLate` if the time ran out first.
 */
export function settleWithin(
  work: PromiseLike<unknown>,
  ms: number,
  hooks: { onError?: (error: unknown) => void; onLate?: () => void } = {},
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      hooks.onLate?.();
      resolve();
    }, ms);
    timer.unref();
    Promise.resolve(work).then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        hooks.onError?.(error);
        resolve();
      },
    );
  });
}
