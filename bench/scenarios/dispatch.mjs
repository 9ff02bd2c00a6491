import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startChild } from '../harness/child-processes.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The body the redis driver publishes for the bench event, so both sides send the same bytes. */
const LARAVEL_BODY =
  '{"event":"order.shipped","data":{"t":123456789,"i":1,"order":{"id":4242,"status":"shipped","total":99.5}},"socket":null}';

/** `redis-benchmark -P 16` PUBLISH of the same body: Redis's own pipelined publish rate. */
function redisBenchmark({ host, port, requests, clients }) {
  const args = [
    '-h',
    host,
    '-p',
    String(port),
    '-P',
    '16',
    '-c',
    String(clients),
    '-n',
    String(requests),
  ];
  args.push('--csv', 'PUBLISH', `bench-rb-${process.pid}`, LARAVEL_BODY);
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', args, { timeout: 60_000 }, (error, stdout) => {
      if (error) return reject(new Error(`redis-benchmark failed: ${error.message}`));
      // CSV: "test","rps" and six latency columns; the test name itself holds quotes, so
      // count the numeric fields from the end.
      const row = stdout.trim().split('\n').at(-1);
      const numbers = [...row.matchAll(/"(\d+(?:\.\d+)?)"/g)].map((match) => Number(match[1]));
      const rps = numbers.at(-7);
      if (!Number.isFinite(rps))
        return reject(new Error(`unreadable redis-benchmark output: ${stdout}`));
      resolve({ command: `redis-benchmark ${args.slice(0, -1).join(' ')} '<laravel body>'`, rps });
    });
  });
}

export async function runDispatch({ dispatchCount, rounds, log }) {
  const child = await startChild(here('./dispatch-child.mjs'), { label: 'dispatch bench' });
  try {
    const result = await child.request('dispatch', { count: dispatchCount, rounds }, 120_000);
    for (const [mode, r] of Object.entries(result).filter(
      ([key]) => key !== 'sink' && key !== 'contracts',
    )) {
      log(
        `  emitAsync ${mode}: plain ${r.plainNsPerEmit.toFixed(0)} ns, with BroadcastModule (null) ` +
          `${r.nullDriverNsPerEmit.toFixed(0)} ns (${(r.nullDriverNsPerEmit / r.plainNsPerEmit).toFixed(2)}x)`,
      );
    }
    if (result.contracts) {
      const c = result.contracts;
      log(
        `  contracts (null driver, one at a time): none ${c.noContract.toFixed(0)} ns, typed ${c.typed.toFixed(0)} ns, ` +
          `zod ${c.zod.toFixed(0)} ns, valibot ${c.valibot.toFixed(0)} ns`,
      );
    }
    return result;
  } finally {
    await child.stop();
  }
}

export async function runRedisPublish({ redisUrl, publishes, window, log }) {
  const { hostname, port } = new URL(redisUrl);
  const child = await startChild(here('./dispatch-child.mjs'), { label: 'redis driver bench' });
  try {
    const prefix = `bench-${process.pid}-driver:`;
    const driverRuns = [];
    const benchmarkRuns = [];
    const oneConnectionRuns = [];
    // Alternate, twice each, and keep the best of each (the least disturbed by other users).
    for (let round = 0; round < 2; round++) {
      driverRuns.push(
        await child.request(
          'redisDriver',
          { url: redisUrl, prefix, count: publishes, window },
          120_000,
        ),
      );
      const target = { host: hostname, port: Number(port || 6379), requests: publishes * 2 };
      benchmarkRuns.push(await redisBenchmark({ ...target, clients: 50 }));
      // One connection, like the driver: the fair bar for a single Node client.
      oneConnectionRuns.push(await redisBenchmark({ ...target, clients: 1 }));
    }
    const driver = Math.max(...driverRuns.map((r) => r.publishesPerSec));
    const benchmark = Math.max(...benchmarkRuns.map((r) => r.rps));
    const oneConnection = Math.max(...oneConnectionRuns.map((r) => r.rps));
    log(`  redis driver ${Math.round(driver)}/s, redis-benchmark -P 16 ${Math.round(benchmark)}/s`);
    return {
      driverPublishesPerSec: driver,
      redisBenchmarkPerSec: benchmark,
      redisBenchmarkOneConnectionPerSec: oneConnection,
      redisBenchmarkOneConnectionCommand: oneConnectionRuns[0].command,
      window,
      redisBenchmarkCommand: benchmarkRuns[0].command,
    };
  } finally {
    await child.stop();
  }
}
