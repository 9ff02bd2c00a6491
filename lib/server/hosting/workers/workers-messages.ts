/**
 * Every message of `serve --workers` (the primary that forks and watches the workers), in
 * one place so wording stays consistent and each says what to do next.
 */
export const WorkersMessages = {
  starting: (workers: number, pid: number) =>
    `Starting ${workers} workers on one port (primary pid ${pid}).`,
  workerReady: (slot: number, pid: number) => `Worker ${slot} (pid ${pid}) ready.`,
  allReady: (workers: number, url: string, pids: readonly number[], link: 'redis' | 'ipc') =>
    `${workers} workers listening on ${url} (pids ${pids.join(', ')}); ` +
    (link === 'redis'
      ? 'each is a node of the Redis scaling.'
      : 'joined through this primary (no Redis scaling: one machine only).'),
  bootFailed: (slot: number, exit: string) =>
    `Worker ${slot} exited (${exit}) before it listened; its error is above. Stopping the others.`,
  workerDied: (slot: number, pid: number, exit: string, delayMs: number) =>
    `Worker ${slot} (pid ${pid}) died (${exit}); starting a new one in ${delayMs} ms.`,
  workerReplaced: (slot: number, pid: number) => `Worker ${slot} replaced by pid ${pid}.`,
  crashLoop: (slot: number, failures: number) =>
    `Worker ${slot} died ${failures} times in a row soon after starting: giving up and stopping ` +
    `every worker. Look at the workers' errors above.`,
  stopping: (signal: string, workers: number, graceSeconds: number) =>
    `${signal} received: stopping ${workers} worker${workers === 1 ? '' : 's'} (grace ${graceSeconds} s).`,
  killedAfterGrace: (pids: readonly number[]) =>
    `Worker${pids.length === 1 ? '' : 's'} ${pids.join(', ')} still running after the grace: killed.`,
  stopped: (code: number) =>
    code === 0 ? 'All workers stopped.' : 'Workers stopped; some did not stop cleanly (exit 1).',
  exitOf: (code: number | null, signal: string | null) =>
    signal ? `signal ${signal}` : `exit code ${code ?? 'unknown'}`,
};
