/**
 * The benchmark entry point: `node bench/run.mjs` (quick, under 2 minutes) or
 * `node bench/run.mjs --full` (every size, under 15 minutes). Needs `npm run build` first
 * (the server and the core are loaded from dist/) and Redis on BENCH_REDIS_URL
 * (default redis://127.0.0.1:6379). Everything listens on 127.0.0.1 only.
 *
 * Options: --full, --only=latency,fanout,memory,dispatch,redis,two-nodes,workers,webhooks,
 * queue,redis-cluster (default: all),
 * --profile (run our server with --cpu-prof; profiles go to --profile-dir, default
 * /tmp/bench-profiles), --out=<dir> (where results JSON/markdown go; default bench/results).
 * A complete run writes latest-{quick,full}.{md,json}; a run with --only writes
 * latest-partial.{md,json} instead, so it never replaces the published figures.
 */
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchRig } from './harness/bench-rig.mjs';
import { stopAll } from './harness/child-processes.mjs';
import { runLatency } from './scenarios/latency.mjs';
import { runFanOut } from './scenarios/fan-out.mjs';
import { runMemory } from './scenarios/memory.mjs';
import { runDispatch, runRedisPublish } from './scenarios/dispatch.mjs';
import { runTwoNodes } from './scenarios/two-nodes.mjs';
import { runWorkers } from './scenarios/workers.mjs';
import { runWebhooks } from './scenarios/webhooks.mjs';
import { runQueue } from './scenarios/queue.mjs';
import { runRedisCluster } from './scenarios/redis-cluster.mjs';
import { renderReport } from './harness/report.mjs';
import { resultsBaseName, selectedScenarios, writeResultFiles } from './harness/results-files.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const value = (name, fallback) =>
  argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

const full = flag('full');
const mode = full ? 'full' : 'quick';
const only = (() => {
  try {
    return selectedScenarios(value('only', undefined));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
})();
const baseName = resultsBaseName(mode, only);
const partial = baseName !== `latest-${mode}`;
const profileDir = flag('profile') ? value('profile-dir', '/tmp/bench-profiles') : undefined;
const outDir = value('out', fileURLToPath(new URL('./results/', import.meta.url)));
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Sizes and durations per mode; quick fits in 2 minutes on the 2-core machine, full in 15. */
const plan = full
  ? {
      clientProcesses: 4,
      // 100/s is the point; 5/s and 20/s show latency without queueing on a busy machine.
      latency: {
        subscribers: 1000,
        steps: [
          { rate: 5, seconds: 6 },
          { rate: 20, seconds: 5 },
          { rate: 100, seconds: 1 },
        ],
      },
      fanOut: {
        sizes: [1000, 5000, 10000],
        deliveriesPerRun: 75_000,
        offeredPerSec: 200_000,
        rounds: 3,
      },
      // 19,000 (the server's open-file limit is 20,000) for ours; the baselines stop earlier for time.
      memory: { sizes: [5000, 10000, 19000], rawWsMax: 10000, socketIoMax: 5000, parallel: false },
      dispatch: { dispatchCount: 20_000, rounds: 5 },
      redis: { publishes: 50_000, window: 256 },
      twoNodes: { subscribers: 1000, rate: 20, seconds: 5 },
      workers: {
        workers: 2,
        subscribers: 1000,
        fanOut: { count: 75, rate: 1000 },
        latency: { rate: 20, seconds: 5 },
      },
      webhooks: { size: 1000, deliveriesPerRun: 300_000, offeredPerSec: 200_000, rounds: 9 },
      queue: { inlineCount: 50_000, queuedCount: 10_000, window: 64 },
      redisCluster: { subscribers: 1000, rate: 20, seconds: 5, channels: 500 },
      watchdogMs: 15 * 60_000,
    }
  : {
      clientProcesses: 2,
      latency: { subscribers: 1000, steps: [{ rate: 10, seconds: 2 }] },
      fanOut: { sizes: [1000], deliveriesPerRun: 40_000, offeredPerSec: 150_000, rounds: 1 },
      memory: { sizes: [5000], rawWsMax: 5000, socketIoMax: 0, parallel: true },
      dispatch: { dispatchCount: 10_000, rounds: 3 },
      redis: { publishes: 10_000, window: 256 },
      twoNodes: { subscribers: 300, rate: 20, seconds: 2 },
      workers: {
        workers: 2,
        subscribers: 1000,
        fanOut: { count: 40, rate: 1000 },
        latency: { rate: 20, seconds: 2 },
      },
      // Runs long enough for the churn and the webhooks to overlap each one; rounds for noise.
      webhooks: { size: 1000, deliveriesPerRun: 150_000, offeredPerSec: 150_000, rounds: 7 },
      queue: { inlineCount: 10_000, queuedCount: 2_000, window: 64 },
      redisCluster: { subscribers: 300, rate: 20, seconds: 2, channels: 500 },
      watchdogMs: 3 * 60_000,
    };

const started = Date.now();
const log = (line) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

function machine() {
  const run = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { timeout: 5000 }).toString().trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc: run('nproc', []),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    loadAverageAtStart: run('cat', ['/proc/loadavg']),
    openFilesLimit: run('sh', ['-c', 'ulimit -n']),
    redisServer: run('redis-server', ['--version']),
  };
}

async function scenario(name, results, body) {
  if (!only.includes(name)) return;
  log(`${name}…`);
  try {
    results[name] = await body();
  } catch (error) {
    results[name] = { error: error.message.split('\n')[0] };
    log(`${name} failed: ${error.stack ?? error}`);
  }
}

const results = { mode, machine: machine(), plan, ...(partial ? { only } : {}) };

/** Writes whatever has been measured so far (also when the watchdog stops the run). */
async function writeResults(note) {
  results.seconds = (Date.now() - started) / 1000;
  const notes = [partial && `partial run, --only=${only.join(',')}`, note].filter(Boolean);
  if (notes.length > 0) results.note = notes.join('; ');
  const markdown = renderReport(results);
  await writeResultFiles(outDir, baseName, results, markdown);
  console.log(`\n${markdown}`);
  log(`results in ${join(outDir, baseName)}.{md,json}`);
}

async function main() {
  const rigs = {};
  const runPrefix = `bench-${process.pid}-${Date.now().toString(36)}`;
  try {
    if (only.includes('latency') || only.includes('fanout')) {
      log(
        'starting servers: ours (metrics off and on), raw ws (send / pre-framed write / corked), Socket.IO',
      );
      const starts = [
        ['ours', { redis: { url: redisUrl, prefix: `${runPrefix}-ours:` } }, profileDir],
        ['ours-metrics', { redis: { url: redisUrl, prefix: `${runPrefix}-ours-metrics:` } }],
        ['raw-ws', { redis: { url: redisUrl, prefix: `${runPrefix}-raw:` } }],
        ['raw-frame', {}],
        ['raw-cork', {}],
        ['socketio', {}],
      ];
      // One after the other: six rigs booting at once (24 processes) outlast the children's
      // 30 s readiness bound on a busy 2-core machine.
      for (const [kind, serverOptions, cpuProfileDir] of starts) {
        rigs[kind] = await BenchRig.start({
          kind,
          serverOptions,
          cpuProfileDir,
          clientProcesses: plan.clientProcesses,
        });
      }
    }
    await scenario('latency', results, () => runLatency({ rigs, ...plan.latency, log }));
    await scenario('fanout', results, () => runFanOut({ rigs, ...plan.fanOut, log }));
    await Promise.all(Object.values(rigs).map((rig) => rig.stop()));
    await scenario('memory', results, () =>
      runMemory({
        kinds: [
          { kind: 'ours' },
          { kind: 'ours-metrics' },
          { kind: 'raw-ws', maxSize: plan.memory.rawWsMax },
          ...(plan.memory.socketIoMax
            ? [{ kind: 'socketio', maxSize: plan.memory.socketIoMax }]
            : []),
        ],
        sizes: plan.memory.sizes,
        parallel: plan.memory.parallel,
        clientProcesses: plan.clientProcesses,
        log,
      }),
    );
    await scenario('dispatch', results, () => runDispatch({ ...plan.dispatch, log }));
    await scenario('redis', results, () => runRedisPublish({ redisUrl, ...plan.redis, log }));
    await scenario('two-nodes', results, () =>
      runTwoNodes({
        redisUrl,
        prefix: `${runPrefix}-scale:`,
        ...plan.twoNodes,
        clientProcesses: 1,
        log,
      }),
    );
    await scenario('workers', results, () =>
      runWorkers({
        redisUrl,
        prefix: `${runPrefix}-workers-`,
        ...plan.workers,
        clientProcesses: plan.clientProcesses,
        log,
      }),
    );
    await scenario('webhooks', results, () =>
      runWebhooks({ ...plan.webhooks, clientProcesses: plan.clientProcesses, log }),
    );
    await scenario('queue', results, () => runQueue({ redisUrl, ...plan.queue, log }));
    await scenario('redis-cluster', results, () =>
      runRedisCluster({ redisUrl, prefix: `${runPrefix}-rc:`, ...plan.redisCluster, log }),
    );
  } finally {
    await stopAll();
  }
  await writeResults();
  log(`done in ${results.seconds.toFixed(0)} s`);
}

const watchdog = setTimeout(async () => {
  log(`watchdog: the ${mode} bench exceeded ${plan.watchdogMs / 1000} s; stopping every child`);
  await stopAll();
  await writeResults(
    `stopped by the watchdog after ${plan.watchdogMs / 1000} s; later scenarios missing`,
  );
  process.exit(2);
}, plan.watchdogMs);
watchdog.unref();

main().then(
  () => process.exit(0),
  async (error) => {
    console.error(error);
    await stopAll();
    process.exit(1);
  },
);
