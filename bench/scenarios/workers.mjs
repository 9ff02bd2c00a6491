import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BENCH_APP, BenchRig } from '../harness/bench-rig.mjs';
import { startChild, trackProcess } from '../harness/child-processes.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Scenario 6, `nestjs-broadcasting serve --workers N` (the bin, from dist/): the same
 * subscribers and publishes against one worker with scaling over Redis, then `workers`
 * workers joined over Redis, then `workers` workers joined through the primary (the
 * in-machine link, no Redis). Reports how the connections spread (the per-worker metric),
 * the deliveries per second, the CPU per delivery of every process (primary and workers
 * summed) and the latency at a steady rate. With N workers an event published on one
 * reaches the others' subscribers through Redis or the primary: that hop is the cost, and
 * CPU per delivery must not double.
 */
export async function runWorkers({
  redisUrl,
  prefix,
  workers,
  subscribers,
  fanOut,
  latency,
  clientProcesses,
  log,
}) {
  const runs = [];
  const setups = [
    { workers: 1, link: 'redis' },
    { workers, link: 'redis' },
    { workers, link: 'ipc' },
  ];
  for (const [n, { workers: count, link }] of setups.entries()) {
    const rig = await startWorkersRig({
      workers: count,
      link,
      redisUrl,
      prefix: `${prefix}${n}:`,
      clientProcesses,
    });
    try {
      await rig.connect(subscribers);
      const spread = await connectionsByWorker(rig.metricsUrl);
      await rig.publishRun({ path: 'http', count: 3, rate: 20 }); // warm-up
      const throughput = await rig.publishRun({ path: 'http', ...fanOut });
      const steady = await rig.publishRun({
        path: 'http',
        count: Math.round(latency.rate * latency.seconds),
        rate: latency.rate,
      });
      runs.push({
        workers: count,
        link,
        spread,
        deliveriesPerSec: throughput.deliveriesPerSec,
        cpuUsPerDelivery: throughput.serverCpuUsPerDelivery,
        lost: throughput.lost + steady.lost,
        socketsWithDuplicates: throughput.socketsWithDuplicates + steady.socketsWithDuplicates,
        latencyUs: steady.latencyUs,
      });
      log(
        `  ${count} worker${count === 1 ? '' : 's'} (${link}): connections ${JSON.stringify(spread)}, ` +
          `${Math.round(throughput.deliveriesPerSec)} deliveries/s, ` +
          `${throughput.serverCpuUsPerDelivery.toFixed(2)} µs CPU per delivery, ` +
          `p50 ${(steady.latencyUs.p50 / 1000).toFixed(2)} ms`,
      );
    } finally {
      await rig.stop();
    }
  }
  return { subscribers, rate: latency.rate, runs };
}

/** A BenchRig whose server is the bin with `--workers`, its CPU summed over every process. */
async function startWorkersRig({ workers, link, redisUrl, prefix, clientProcesses }) {
  const metricsPort = await freePort();
  const proc = spawn(
    process.execPath,
    [here('../../bin/nestjs-broadcasting.mjs'), 'serve', '--workers', String(workers)],
    {
      env: {
        ...process.env,
        BROADCASTING_APP_ID: BENCH_APP.id,
        BROADCASTING_APP_KEY: BENCH_APP.key,
        BROADCASTING_APP_SECRET: BENCH_APP.secret,
        BROADCASTING_SERVER_HOST: '127.0.0.1',
        BROADCASTING_SERVER_PORT: '0',
        BROADCASTING_SERVER_SCALING: link === 'redis' ? 'redis' : 'off',
        BROADCASTING_REDIS_URL: redisUrl,
        BROADCASTING_REDIS_PREFIX: prefix,
        BROADCASTING_METRICS_PORT: String(metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const server = trackProcess(proc, `server (${workers} workers, ${link})`);
  let out = '';
  proc.stdout.on('data', (chunk) => (out += chunk));
  const { port, pids } = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bin did not start: ${out}`)), 60_000);
    proc.stdout.on('data', () => {
      const many = /(\d+) workers listening on http:\/\/[^:]+:(\d+) \(pids ([\d, ]+)\)/.exec(out);
      const one = /Broadcast server listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (workers > 1 && !many) return;
      if (workers === 1 && !one) return;
      clearTimeout(timer);
      resolve(
        workers > 1
          ? { port: Number(many[2]), pids: many[3].split(', ').map(Number) }
          : { port: Number(one[1]), pids: [] },
      );
    });
    proc.once('exit', (code) => reject(new Error(`the bin exited (${code}): ${server.stderr}`)));
  });
  const clients = await Promise.all(
    Array.from({ length: clientProcesses }, (_, n) =>
      startChild(here('../harness/load-client.mjs'), { label: `load client ${n + 1}` }),
    ),
  );
  const publisher = await startChild(here('../harness/publisher.mjs'), { label: 'publisher' });
  const rig = new BenchRig(
    'ours',
    server,
    { port, wsPath: `/app/${BENCH_APP.key}` },
    clients,
    publisher,
    { redis: { url: redisUrl, prefix } },
  );
  rig.cpuPids = () => [proc.pid, ...pids];
  rig.metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  return rig;
}

/** `broadcasting_connections` per `worker` label (one process: `{ all: n }`). */
async function connectionsByWorker(url) {
  const text = await (await fetch(url)).text();
  const spread = {};
  for (const [, labels, value] of text.matchAll(/^broadcasting_connections\{([^}]*)\} (\S+)$/gm)) {
    const worker = /worker="(\d+)"/.exec(labels)?.[1] ?? 'all';
    spread[worker] = (spread[worker] ?? 0) + Number(value);
  }
  return spread;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
