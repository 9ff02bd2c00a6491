// The bench harness's own tests, part of `npm test` (they need `npm run build` first, which `npm test` does).
// (needs `npm run build` first: the publisher signs with dist/shared/pusher-protocol).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createHistogram } from 'node:perf_hooks';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeLatencies } from './harness/latency-merge.mjs';
import { readStamp, benchPayload, BENCH_EVENT, BENCH_CHANNEL } from './harness/bench-payload.mjs';
import { processCpuSplit } from './harness/proc-stats.mjs';
import { renderReport } from './harness/report.mjs';
import { runFanOut } from './scenarios/fan-out.mjs';
import {
  resultsBaseName,
  SCENARIOS,
  selectedScenarios,
  writeResultFiles,
} from './harness/results-files.mjs';
import { BenchRig } from './harness/bench-rig.mjs';
import { stopAll } from './harness/child-processes.mjs';

const GRID = [
  ...Array.from({ length: 360 }, (_, n) => (n + 1) / 4),
  ...Array.from({ length: 90 }, (_, n) => 90 + (n + 1) / 10),
  ...Array.from({ length: 100 }, (_, n) => 99 + (n + 1) / 100),
];
const dump = (histogram) => ({
  count: histogram.count,
  max: histogram.max,
  steps: GRID.map((q) => [q, histogram.percentile(q)]),
});

afterAll(() => stopAll());

describe('latency merge across load-client processes', () => {
  it('gives the percentiles of one histogram holding every sample', () => {
    const fast = createHistogram();
    const slow = createHistogram();
    const all = createHistogram();
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 40_000; i++) {
      const value = 1 + Math.floor(random() ** 3 * 5_000);
      fast.record(value);
      all.record(value);
    }
    for (let i = 0; i < 20_000; i++) {
      const value = 1 + Math.floor(random() * 40_000);
      slow.record(value);
      all.record(value);
    }
    const merged = mergeLatencies([dump(fast), dump(slow)]);
    expect(merged.count).toBe(60_000);
    for (const [key, q] of [
      ['p50', 50],
      ['p99', 99],
      ['p999', 99.9],
    ]) {
      expect(Math.abs(merged[key] - all.percentile(q)) / all.percentile(q)).toBeLessThan(0.01);
    }
    expect(merged.max).toBe(all.max);
  });

  it('ignores processes that received nothing', () => {
    const only = createHistogram();
    only.record(1234);
    expect(mergeLatencies([{ count: 0, steps: [], max: 0 }, dump(only)]).p99).toBe(1234);
    expect(mergeLatencies([{ count: 0, steps: [], max: 0 }])).toBeUndefined();
  });
});

describe('bench payload stamp', () => {
  const payload = benchPayload(123456.7, 42);

  it('is read from the Pusher frame, where data is a JSON string', () => {
    const frame = JSON.stringify({
      event: BENCH_EVENT,
      channel: BENCH_CHANNEL,
      data: JSON.stringify(payload),
    });
    expect(readStamp(frame)).toEqual({ t: 123457, i: 42 });
  });

  it('is read from raw JSON, as Socket.IO hands it over', () => {
    expect(readStamp(JSON.stringify(payload))).toEqual({ t: 123457, i: 42 });
  });

  it('is absent from protocol frames', () => {
    expect(readStamp('{"event":"pusher:ping","data":{}}')).toBeUndefined();
  });
});

describe('server CPU from /proc', () => {
  it('grows, in microseconds, by the CPU time the process spent', () => {
    const before = processCpuSplit(process.pid);
    // Spin until Node itself counts 100 ms of CPU: on a busy machine that takes longer than
    // 100 ms of wall time, so a wall-clock spin could give /proc no tick to count.
    const start = process.cpuUsage();
    const deadline = performance.now() + 20_000;
    const spent = () => {
      const { user, system } = process.cpuUsage(start);
      return user + system;
    };
    while (spent() < 100_000 && performance.now() < deadline);
    const used = spent();
    const after = processCpuSplit(process.pid);
    const grew = after.user + after.system - (before.user + before.system);
    expect(used).toBeGreaterThanOrEqual(100_000);
    // /proc counts in clock ticks (10 ms), so allow a few ticks of rounding either side.
    expect(grew).toBeGreaterThan(used - 40_000);
    expect(grew).toBeLessThan(used + 40_000);
  });
});

describe('report', () => {
  const results = {
    mode: 'quick',
    seconds: 1,
    machine: {
      date: '2026-01-01T00:00:00.000Z',
      node: 'v20',
      nproc: '2',
      cpu: 'cpu',
      memory: '1 GiB',
      loadAverageAtStart: '1 1 1 1/1 1',
      openFilesLimit: '20000',
      redisServer: 'Redis server v=7.0.15',
    },
    memory: [
      {
        kind: 'raw-ws',
        connections: 100,
        rssBytes: 1e8,
        rssPerConnection: 10_000,
        heapPerConnection: 3000,
      },
      {
        kind: 'ours',
        connections: 100,
        rssBytes: 1e8,
        rssPerConnection: 30_000,
        heapPerConnection: 4000,
      },
    ],
    dispatch: { sequential: { plainNsPerEmit: 1000, nullDriverNsPerEmit: 1200 } },
  };

  it('prints each figure beside its baseline as a ratio and checks the targets', () => {
    const markdown = renderReport(results);
    expect(markdown).toContain('| **ours** | 100 | 95 MiB | 29.3 | 3.9 | 3.00× |');
    expect(markdown).toMatch(
      /Memory ≤ 20 KB RSS per idle connection at 100 \| 29\.3 KB \(raw ws: 9\.8 KB\) \| \*\*missed\*\*/,
    );
    expect(markdown).toMatch(/Dispatch ≤ 1\.3× plain emitAsync .*\| 1\.20× \| met/);
  });

  it('puts ours with metrics on beside ours with them off, against the 3 % bound', () => {
    const row = (kind, deliveriesPerSec, cpuUsPerDelivery) => ({
      subscribers: 1000,
      kind,
      path: 'http',
      runs: 1,
      messagesPerRun: 40,
      offeredPerSec: 150_000,
      deliveriesPerSec,
      cpuUsPerDelivery,
      lost: 0,
      expected: 40_000,
    });
    const markdown = renderReport({
      ...results,
      memory: [
        ...results.memory,
        {
          kind: 'ours-metrics',
          connections: 100,
          rssBytes: 1e8,
          rssPerConnection: 30_000,
          heapPerConnection: 4000,
          scrape: { cpuMs: 12.34, wallMs: 20, bytes: 10_240 },
        },
      ],
      fanout: [
        row('raw-ws', 50_000, 16),
        row('ours', 100_000, 6),
        row('ours-metrics', 98_000, 6.3),
      ],
    });
    expect(markdown).toContain('| 1,000 | http | 100,000 | 98,000 | 0.98× | 6.00 | 6.30 | 1.05× |');
    expect(markdown).toContain('12.3 ms CPU (20.0 ms wall, 10.0 KB) at 100 connections');
    expect(markdown).toMatch(
      /Metrics on within 3% of off, fan-out 1,000 subscribers \(http\), deliveries\/s \| 0\.98× \| met/,
    );
    expect(markdown).toMatch(
      /Metrics on within 3% of off, fan-out 1,000 subscribers \(http\), CPU per delivery \| 1\.05× \| \*\*missed\*\*/,
    );
  });

  it("checks issue 15's goals against the corked raw loop: fan-out, CPU, p99 and RSS", () => {
    const fan = (kind, deliveriesPerSec, cpuUsPerDelivery) => ({
      subscribers: 5000,
      kind,
      path: 'http',
      runs: 1,
      messagesPerRun: 15,
      offeredPerSec: 200_000,
      deliveriesPerSec,
      cpuUsPerDelivery,
      lost: 0,
      expected: 75_000,
    });
    const lat = (kind, p99) => ({
      subscribers: 1000,
      rate: 20,
      kind,
      path: 'http',
      latencyUs: { p50: p99 / 2, p99, p999: p99, max: p99 },
      lost: 0,
    });
    const markdown = renderReport({
      ...results,
      fanout: [fan('raw-ws', 50_000, 16), fan('raw-cork', 100_000, 8), fan('ours', 94_000, 8.5)],
      latency: [lat('raw-ws', 30_000), lat('raw-cork', 40_000), lat('ours', 43_000)],
      memory: [
        { kind: 'raw-ws', connections: 10_000, rssBytes: 1e8, rssPerConnection: 7000 },
        { kind: 'ours', connections: 10_000, rssBytes: 1e8, rssPerConnection: 7300 },
      ],
    });
    expect(markdown).toMatch(
      /5,000 subscribers \(http\) ≥ 0\.95× corked raw ws, deliveries\/s \| 0\.94× \| \*\*missed\*\*/,
    );
    expect(markdown).toMatch(
      /5,000 subscribers \(http\) CPU per delivery ≤ 1\.05× corked raw ws \| 1\.06× \| \*\*missed\*\*/,
    );
    expect(markdown).toMatch(
      /Latency p99 ≤ 1\.1× corked raw ws, 1,000 subscribers at 20\/s \(http\) \| 1\.07× \(43\.00 ms against 40\.00 ms\) \| met/,
    );
    expect(markdown).toContain(
      '| 1,000 | 20 | **ours** | http | 21.50 | 43.00 | 43.00 | 43.00 | 1.43× | 1.07× | 0 |',
    );
    expect(markdown).toMatch(/RSS per idle connection ≤ 1\.05× raw ws at 10,000 \| 1\.04× \| met/);
  });

  it('runFanOut stops at the first size a rig cannot connect, keeping the smaller ones', async () => {
    const rig = (failFrom) => ({
      subscribers: 0,
      async connect(size) {
        if (size >= failFrom) throw new Error('subscription timed out\n    at stack');
        this.subscribers = size;
        return { ms: 1 };
      },
      async publishRun() {
        return {
          deliveriesPerSec: 1,
          serverCpuUsPerDelivery: 1,
          serverUserShare: 0.5,
          lost: 0,
          expected: 1,
          socketsWithDuplicates: 0,
          publishErrors: 0,
          closeCodes: {},
        };
      },
    });
    const rows = await runFanOut({
      rigs: { ours: rig(5000), 'raw-cork': rig(Infinity) },
      sizes: [1000, 5000, 10_000],
      deliveriesPerRun: 10,
      offeredPerSec: 10,
      rounds: 1,
      log: () => {},
    });
    expect(rows.map((r) => [r.subscribers, r.unmeasured ?? `${r.kind}/${r.path}`])).toEqual([
      [1000, 'raw-cork/http'],
      [1000, 'ours/http'],
      [1000, 'ours/redis'],
      [5000, 'subscription timed out'],
    ]);
  });

  it('keeps the sizes measured before one that could not connect, and says why', () => {
    const markdown = renderReport({
      ...results,
      fanout: [
        {
          subscribers: 1000,
          kind: 'ours',
          path: 'http',
          runs: 1,
          messagesPerRun: 75,
          offeredPerSec: 200_000,
          deliveriesPerSec: 100_000,
          cpuUsPerDelivery: 6,
          lost: 0,
          expected: 75_000,
        },
        { subscribers: 5000, unmeasured: 'subscription timed out' },
      ],
    });
    expect(markdown).toContain('| 1,000 | **ours** | http | 100,000 |');
    expect(markdown).toContain('Not measured from 5,000 subscribers on: subscription timed out');
  });

  it('reports queued broadcasts beside the inline redis driver, and no section without them', () => {
    const markdown = renderReport({
      ...results,
      queue: {
        window: 64,
        inline: { count: 10_000, perSec: 17_746.2 },
        queuedC1: { count: 2000, perSec: 450.4 },
        queuedC10: { count: 2000, perSec: 1193 },
      },
    });
    expect(markdown).toContain('### 8. Queued broadcasts (dispatch → PUBLISH)');
    expect(markdown).toContain('| inline, redis driver | 10,000 | 17,746 |');
    expect(markdown).toContain('| queued on BullMQ, one worker, concurrency 1 | 2,000 | 450 |');
    expect(markdown).toContain('| queued on BullMQ, one worker, concurrency 10 | 2,000 | 1,193 |');
    expect(renderReport(results)).not.toContain('Queued broadcasts');
  });

  it('shows how several workers spread connections and what a delivery costs against one', () => {
    const run = (workers, spread, cpuUsPerDelivery, link = 'redis') => ({
      workers,
      link,
      spread,
      deliveriesPerSec: 40_000,
      cpuUsPerDelivery,
      lost: 0,
      socketsWithDuplicates: 0,
      latencyUs: { p50: 2000, p99: 9000 },
    });
    const markdown = renderReport({
      ...results,
      workers: {
        subscribers: 1000,
        rate: 20,
        runs: [
          run(1, { all: 1000 }, 6),
          run(2, { 1: 700, 2: 300 }, 13),
          run(2, { 1: 500, 2: 500 }, 9, 'ipc'),
        ],
      },
    });
    expect(markdown).toContain(
      '| 2 | Redis | 1: 700, 2: 300 | 40,000 | 13.00 | 2.00 | 9.00 | 0 | 0 |',
    );
    expect(markdown).toContain(
      '| 2 | primary (IPC) | 1: 500, 2: 500 | 40,000 | 9.00 | 2.00 | 9.00 | 0 | 0 |',
    );
    expect(markdown).toMatch(
      /Workers \(over Redis\): connections spread evenly over 2 \(largest ÷ smallest ≤ 1\.2\) \| 2\.33× \| \*\*missed\*\*/,
    );
    expect(markdown).toMatch(
      /Workers \(over Redis\): CPU per delivery with 2 workers < 2× one worker \| 2\.17× \| \*\*missed\*\*/,
    );
    expect(markdown).toMatch(
      /Workers \(through the primary\): CPU per delivery with 2 workers < 2× one worker \| 1\.50× \| met/,
    );
  });

  it('reports the Redis Cluster hop against one Redis, and the shard channels as they come and go', () => {
    const hop = (p50) => ({
      latencyUs: { p50, p99: p50 * 3 },
      lost: 0,
      socketsExact: 300,
      subscribers: 300,
    });
    const section = {
      rate: 20,
      channels: 500,
      single: hop(420),
      cluster: hop(520),
      shards: { idle: 3, occupied: 503, vacated: 3, perMaster: [170, 160, 173] },
    };
    const markdown = renderReport({ ...results, 'redis-cluster': section });
    expect(markdown).toContain('### 9. Redis Cluster');
    expect(markdown).toContain(
      '| Redis Cluster, 3 masters (sharded pub/sub) | 0.52 | 1.56 | 300/300 |',
    );
    expect(markdown).toContain(
      '3 idle, 503 with one socket on 500 channels (per master: 170, 160, 173), 3 after it left.',
    );
    expect(markdown).toMatch(/cross-node p50 within 1 ms of one Redis \| 0\.52 vs 0\.42 ms \| met/);
    expect(markdown).toMatch(
      /bounded by occupied channels \| 3 -> 503 -> 3 \(500 channels\) \| met/,
    );
    const leaking = renderReport({
      ...results,
      'redis-cluster': {
        ...section,
        cluster: hop(1600),
        shards: { ...section.shards, vacated: 40 },
      },
    });
    expect(leaking).toMatch(/within 1 ms of one Redis \| 1\.60 vs 0\.42 ms \| \*\*missed\*\*/);
    expect(leaking).toMatch(/3 -> 503 -> 40 \(500 channels\) \| \*\*missed\*\*/);
    expect(renderReport(results)).not.toContain('Redis Cluster');
  });

  it('says a scenario that could not run was not measured', () => {
    const markdown = renderReport({
      ...results,
      'two-nodes': { measured: false, reason: 'no scaling' },
    });
    expect(markdown).toContain('**Not yet measured**: no scaling.');
    expect(markdown).toMatch(
      /Two nodes: exactly one copy per subscriber \| not measured \| not measured/,
    );
  });
});

describe('results files', () => {
  it('lets only a run of every scenario replace latest-{quick,full}', () => {
    expect(resultsBaseName('full', selectedScenarios(undefined))).toBe('latest-full');
    expect(resultsBaseName('quick', selectedScenarios(undefined))).toBe('latest-quick');
    expect(resultsBaseName('full', selectedScenarios(SCENARIOS.join(',')))).toBe('latest-full');
  });

  it('sends a run narrowed with --only to latest-partial', () => {
    expect(resultsBaseName('full', selectedScenarios('fanout'))).toBe('latest-partial');
    expect(resultsBaseName('quick', selectedScenarios('dispatch,redis'))).toBe('latest-partial');
    expect(resultsBaseName('quick', selectedScenarios('queue'))).toBe('latest-partial');
  });

  it('names the scenarios to choose from when --only has an unknown one', () => {
    expect(() => selectedScenarios('fanout,fan-out')).toThrow(
      /unknown scenario fan-out; choose among latency, fanout, memory/,
    );
    expect(() => selectedScenarios('')).toThrow(/\(none given\)/);
  });

  it("writes files that pass the repository's prettier check", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    try {
      const results = { mode: 'quick', plan: { steps: [{ rate: 5, seconds: 6 }] } };
      const markdown = '| a | b |\n|---:|---|\n| 1 | long cell |\n';
      const files = await writeResultFiles(dir, 'latest-partial', results, markdown);
      expect(files.map((file) => basename(file))).toEqual([
        'latest-partial.json',
        'latest-partial.md',
      ]);
      for (const file of files) {
        const options = { ...(await prettier.resolveConfig(file)), filepath: file };
        expect(await prettier.check(readFileSync(file, 'utf8'), options)).toBe(true);
      }
      expect(JSON.parse(readFileSync(files[0], 'utf8'))).toEqual(results);
      expect(readFileSync(files[1], 'utf8')).toContain('| long cell |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench rig end to end', () => {
  it('counts every delivery of an open-loop HTTP publish to a raw ws server, and kills its children', async () => {
    const rig = await BenchRig.start({ kind: 'raw-ws', clientProcesses: 2 });
    const pids = [rig.server.pid, rig.publisher.pid, ...rig.clients.map((c) => c.pid)];
    try {
      await rig.connect(40);
      const result = await rig.publishRun({ path: 'http', count: 25, rate: 200 });
      expect(result).toMatchObject({
        subscribers: 40,
        published: 25,
        deliveries: 1000,
        lost: 0,
        socketsExact: 40,
        socketsWithDuplicates: 0,
        publishErrors: 0,
      });
      expect(result.serverCpuUsPerDelivery).toBeGreaterThan(0);
      expect(result.latencyUs.count).toBe(1000);
      expect(result.latencyUs.p99).toBeGreaterThanOrEqual(result.latencyUs.p50);
    } finally {
      await rig.stop();
    }
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }, 60_000);
});
