import { fileURLToPath } from 'node:url';
import { startChild } from './child-processes.mjs';
import { processCpuSplit } from './proc-stats.mjs';
import { mergeLatencies } from './latency-merge.mjs';
import { BENCH_CHANNEL, BENCH_EVENT } from './bench-payload.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Credentials of the one app every server run serves (loopback only, bench-only values). */
export const BENCH_APP = {
  id: '4242',
  key: 'bench-key',
  secret: 'bench-secret-not-for-production',
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One server child, its load-generator children and a publisher child. The scenarios drive
 * it: grow the subscriber count, read memory, publish open loop and collect what arrived.
 */
export class BenchRig {
  /** `wrapper` runs the server child under another program (valgrind), see startChild. */
  static async start({
    kind,
    clientProcesses = 2,
    serverOptions = {},
    cpuProfileDir,
    label,
    wrapper,
  }) {
    const execArgv = ['--expose-gc'];
    if (cpuProfileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`);
    const server = await startChild(here('../servers/server-host.mjs'), {
      args: [kind, JSON.stringify({ app: BENCH_APP, ...serverOptions })],
      execArgv,
      label: `server ${label ?? kind}`,
      wrapper,
      readyMs: wrapper ? 180_000 : 30_000,
    });
    const info = await server.request('info');
    const clients = await Promise.all(
      Array.from({ length: clientProcesses }, (_, n) =>
        startChild(here('./load-client.mjs'), { label: `load client ${n + 1}` }),
      ),
    );
    const publisher = await startChild(here('./publisher.mjs'), { label: 'publisher' });
    return new BenchRig(kind, server, info, clients, publisher, serverOptions);
  }

  constructor(kind, server, info, clients, publisher, serverOptions) {
    this.kind = kind;
    this.server = server;
    this.info = info;
    this.clients = clients;
    this.publisher = publisher;
    this.serverOptions = serverOptions;
    this.subscribers = 0;
  }

  get url() {
    return this.kind === 'socketio'
      ? `http://127.0.0.1:${this.info.port}`
      : `ws://127.0.0.1:${this.info.port}${this.info.wsPath}?protocol=7&client=js&version=8.6.0`;
  }

  /** Grows the subscribed sockets to `total`, spread evenly over the client processes. */
  async connect(total, { url = this.url, clients = this.clients } = {}) {
    const missing = total - this.subscribers;
    if (missing <= 0) return { ms: 0 };
    const share = clients.map(
      (_, n) => Math.floor(missing / clients.length) + (n < missing % clients.length ? 1 : 0),
    );
    const started = performance.now();
    const results = await Promise.all(
      clients.map((client, n) =>
        client.request(
          'connect',
          {
            kind: this.kind === 'socketio' ? 'socketio' : 'pusher',
            url,
            channel: BENCH_CHANNEL,
            count: share[n],
          },
          120_000,
        ),
      ),
    );
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    this.subscribers = total - failed;
    if (failed > 0) {
      throw new Error(
        `${failed} of ${missing} subscriptions to ${this.kind} failed: ${results.find((r) => r.firstError)?.firstError}`,
      );
    }
    return { ms: performance.now() - started };
  }

  memory() {
    return this.server.request('memory');
  }

  /**
   * Publishes `count` events at `rate`/s through `path` ('http' | 'redis'), waits until every
   * subscriber has them (or no progress for `quietMs`), and returns deliveries, losses,
   * throughput, the server's CPU per delivery and latency. `publishPort` sends the HTTP
   * publishes to another server (another node of a cluster) than the one subscribed to.
   */
  async publishRun({ path, count, rate, quietMs = 1500, capMs = 30_000, publishPort }) {
    await Promise.all(this.clients.map((client) => client.request('reset')));
    const cpuBefore = this.serverCpu();
    const published = await this.publisher.request(
      'run',
      {
        path,
        port: publishPort ?? this.info.port,
        app: BENCH_APP,
        redis: this.serverOptions.redis,
        channel: BENCH_CHANNEL,
        event: BENCH_EVENT,
        count,
        rate,
      },
      capMs + 60_000,
    );
    const expected = published.sent * this.subscribers;
    let stats = await this.collect();
    let lastProgress = performance.now();
    const deadline = performance.now() + capMs;
    while (stats.received < expected && performance.now() < deadline) {
      await sleep(100);
      const next = await this.collect();
      if (next.received > stats.received) lastProgress = performance.now();
      stats = next;
      if (performance.now() - lastProgress > quietMs) break;
    }
    const cpuAfter = this.serverCpu();
    const userUs = cpuAfter.user - cpuBefore.user;
    const cpuUs = userUs + cpuAfter.system - cpuBefore.system;
    const latencies = await Promise.all(this.clients.map((client) => client.request('latency')));
    const perSocket = await Promise.all(
      this.clients.map((client) => client.request('perSocket', { expected: published.sent })),
    );
    const elapsedUs = Math.max(1, stats.lastUs - published.startUs);
    return {
      path,
      subscribers: this.subscribers,
      published: published.sent,
      publishErrors: published.errors,
      publishFirstError: published.firstError,
      publisherMaxLagMs: published.maxLagUs / 1000,
      expected,
      deliveries: stats.received,
      lost: Math.max(0, expected - stats.received),
      socketsExact: perSocket.reduce((sum, s) => sum + s.exact, 0),
      // A socket with more messages than were published got a duplicate.
      socketsWithDuplicates: perSocket.reduce((sum, s) => sum + s.more, 0),
      closeCodes: stats.closeCodes,
      elapsedMs: elapsedUs / 1000,
      deliveriesPerSec: stats.received / (elapsedUs / 1e6),
      serverCpuUsPerDelivery: stats.received ? cpuUs / stats.received : NaN,
      serverCpuMs: cpuUs / 1000,
      serverUserShare: cpuUs ? userUs / cpuUs : NaN,
      latencyUs: mergeLatencies(latencies),
    };
  }

  /**
   * CPU of the server's processes: its one process, or `cpuPids()` when the server is several
   * (the primary and workers of `serve --workers`), summed.
   */
  serverCpu() {
    const pids = this.cpuPids?.() ?? [this.server.pid];
    const split = pids.map((pid) => processCpuSplit(pid));
    return {
      user: split.reduce((sum, s) => sum + s.user, 0),
      system: split.reduce((sum, s) => sum + s.system, 0),
    };
  }

  async collect() {
    const all = await Promise.all(this.clients.map((client) => client.request('stats')));
    const closeCodes = {};
    for (const s of all) {
      for (const [code, n] of Object.entries(s.closeCodes))
        closeCodes[code] = (closeCodes[code] ?? 0) + n;
    }
    return {
      received: all.reduce((sum, s) => sum + s.received, 0),
      lastUs: Math.max(...all.map((s) => s.lastUs)),
      closeCodes,
    };
  }

  async stop() {
    await Promise.all([this.publisher, ...this.clients].map((child) => child.stop()));
    await this.server.stop();
  }
}
