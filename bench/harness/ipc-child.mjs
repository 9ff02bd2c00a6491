/**
 * The child side of child-processes.mjs: answers `{ id, type, ...args }` with
 * `{ id, ok, result | error }`, and exits when the parent goes away so no child outlives
 * the bench (even when the parent is killed with SIGKILL and cannot clean up).
 */
export function serveRequests(handlers, { onExit } = {}) {
  let exiting = false;
  const exit = async (code) => {
    if (exiting) return;
    exiting = true;
    const timer = setTimeout(() => process.exit(code), 3000);
    timer.unref();
    try {
      await onExit?.();
    } finally {
      // process.exit (not a kill) so that --cpu-prof writes its profile.
      process.exit(code);
    }
  };
  process.on('disconnect', () => exit(0));
  process.on('SIGTERM', () => exit(0));
  process.on('SIGINT', () => exit(0));
  process.on('message', async (message) => {
    const handler = handlers[message?.type];
    if (!handler) {
      process.send?.({ id: message?.id, ok: false, error: `unknown request '${message?.type}'` });
      return;
    }
    try {
      const result = await handler(message);
      process.send?.({ id: message.id, ok: true, result });
    } catch (error) {
      process.send?.({ id: message.id, ok: false, error: error?.stack ?? String(error) });
    }
  });
  process.send?.({ type: 'ready' });
}

/** Current time on CLOCK_MONOTONIC in microseconds: the same clock in every process here. */
export function makeClock() {
  const originUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
  return () => originUs + performance.now() * 1000;
}
