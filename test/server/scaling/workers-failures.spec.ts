import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../support/broadcast-server-harness.js';
import { killBins, runBin, type BinProcess } from '../support/bin-process.js';
import { WorkersMessages } from '../../../lib/server/hosting/workers/workers-messages.js';
import { APP, buildPackage, removePackage } from './support/cluster-harness.js';

/**
 * `serve --workers` when workers cannot run or will not stop: one that cannot start stops
 * the start (exit 1); one that keeps dying soon after each restart makes the primary give
 * up (exit 1) instead of restarting forever; a hung worker is killed after the grace, or at
 * once on a second signal.
 */
let pkg: string;
let blocker: Server | undefined;

const env = () => ({
  BROADCASTING_APP_ID: APP.id,
  BROADCASTING_APP_KEY: APP.key,
  BROADCASTING_APP_SECRET: APP.secret,
  BROADCASTING_SERVER_HOST: '127.0.0.1',
  BROADCASTING_SERVER_PORT: '0',
  BROADCASTING_REDIS_URL: 'redis://127.0.0.1:6379',
  BROADCASTING_REDIS_PREFIX: uniquePrefix('workers-failures'),
});

async function eventually<T>(check: () => T | undefined | null | false, ms: number, what: string) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  pkg = buildPackage();
}, 120_000);
afterEach(async () => {
  killBins();
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});
afterAll(() => removePackage(pkg));

describe('serve --workers: workers that cannot run', () => {
  it('stops the start with exit 1 when a worker cannot listen', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as { port: number }).port;
    const bin = runBin(pkg, ['serve', '--workers', '2', '--scaling', 'redis'], {
      ...env(),
      BROADCASTING_SERVER_PORT: String(busy),
    });
    expect(await bin.exit).toBe(1);
    const err = bin.err.join('');
    const slot = Number(/Worker (\d) exited/.exec(err)?.[1]);
    expect(err).toContain(WorkersMessages.bootFailed(slot, WorkersMessages.exitOf(1, null)));
    expect(err).toContain(`port ${busy} is already in use`);
    expect(bin.out.join('')).not.toContain('workers listening on');
  }, 120_000);

  it('kills every worker at once and exits 1 on a second signal, for an impatient operator', async () => {
    const bin = runBin(pkg, ['serve', '--workers', '2'], env());
    const out = () => bin.out.join('');
    await eventually(() => out().includes('2 workers listening on'), 90_000, 'the start');
    const pids = [1, 2].map((slot) =>
      Number(new RegExp(`Worker ${slot} \\(pid (\\d+)\\) ready`).exec(out())![1]),
    );
    // A worker that hangs (stopped) keeps the first shutdown waiting for it.
    process.kill(pids[0], 'SIGSTOP');
    bin.child.kill('SIGTERM');
    await eventually(() => out().includes('SIGTERM received: stopping 2 workers'), 20_000, 'stop');
    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(1);
    expect(bin.err.join('')).toContain('SIGTERM again: exiting without waiting.');
    await eventually(
      () =>
        pids.every((pid) => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        }),
      20_000,
      'both workers gone',
    );
  }, 120_000);

  it('kills a worker still running 2 s after the shutdown grace, and exits 1', async () => {
    const bin = runBin(pkg, ['serve', '--workers', '2', '--shutdown-grace', '1'], env());
    const out = () => bin.out.join('');
    await eventually(() => out().includes('2 workers listening on'), 90_000, 'the start');
    const hung = Number(/Worker 2 \(pid (\d+)\) ready/.exec(out())![1]);
    process.kill(hung, 'SIGSTOP');
    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(1);
    const err = bin.err.join('');
    expect(err).toContain(WorkersMessages.killedAfterGrace([hung]));
    expect(err).toContain(WorkersMessages.stopped(1));
    expect(out()).toContain('worker 1: Broadcast server stopped.');
  }, 120_000);

  it('gives up and exits 1 when a worker dies again and again soon after each start', async () => {
    const bin: BinProcess = runBin(pkg, ['serve', '--workers', '2', '--scaling', 'redis'], env());
    const out = () => bin.out.join('');
    await eventually(() => out().includes('2 workers listening on'), 90_000, 'the start');
    let pid = Number(/Worker 1 \(pid (\d+)\) ready/.exec(out())![1]);
    const killed: number[] = [];
    // Five deaths are replaced (100, 200, 400, 800, 1600 ms apart); the sixth is one too many.
    for (let death = 1; death <= 6; death++) {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
      if (death === 6) break;
      const replaced = await eventually(
        () => [...out().matchAll(/Worker 1 replaced by pid (\d+)/g)][death - 1],
        60_000,
        `replacement ${death}`,
      );
      pid = Number(replaced[1]);
    }
    expect(await bin.exit).toBe(1);
    expect(bin.err.join('')).toContain(WorkersMessages.crashLoop(1, 6));
    const sigkill = WorkersMessages.exitOf(null, 'SIGKILL');
    const delays = [100, 200, 400, 800, 1_600];
    for (const [i, delay] of delays.entries())
      expect(bin.err.join('')).toContain(WorkersMessages.workerDied(1, killed[i], sigkill, delay));
    expect(out()).toContain('worker 2: Broadcast server stopped.');
  }, 180_000);
});
