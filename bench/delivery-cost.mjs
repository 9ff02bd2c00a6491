/**
 * Server CPU per delivery, ours against the corked raw `ws` loop (`raw-cork`), at a rate low
 * enough that each event is its own loop turn: `node bench/delivery-cost.mjs` after
 * `npm run build`. Options: --sizes=1000,10000 --rounds=5 --events=<per run at 1k, scaled
 * down with size> --rate=<events/s at 1k, scaled down with size> --profile[=<dir>].
 *
 * Why not the fan-out scenario: at saturation a faster server batches more events per turn
 * (one writev each), so its cost per delivery falls for a reason that is not its code. Here
 * both servers get the same schedule and neither is saturated, so the ratio of CPU per
 * delivery is the ratio of the work each does per socket per event.
 *
 * Why CPU time and not instructions: `perf stat -e instructions` is not supported on this VM,
 * and valgrind runs a 10,000-socket Node server too slowly to be useful. The CPU time of the
 * server process (user + system from /proc/<pid>/stat, read by this parent) is per process,
 * so other users of the machine disturb it far less than wall time; runs alternate between
 * the servers and each row is the median, with the spread (min–max) beside it.
 *
 * Also reports RSS per idle subscribed connection of each server (after forced GCs).
 * The subscribers live in two load-client processes (a process may hold 20,000 files).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BenchRig } from './harness/bench-rig.mjs';
import { stopAll } from './harness/child-processes.mjs';

const argv = process.argv.slice(2);
const value = (name, fallback) =>
  argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const sizes = value('sizes', '1000,10000').split(',').map(Number);
const rounds = Number(value('rounds', '5'));
const eventsAt1k = Number(value('events', '150'));
const rateAt1k = Number(value('rate', '40'));
const profileDir = argv.includes('--profile') ? '/tmp/bench-profiles' : value('profile', undefined);
const callgrindDir = argv.includes('--callgrind')
  ? '/tmp/bench-callgrind'
  : value('callgrind', undefined);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const KINDS = value('kinds', 'raw-cork,ours').split(',');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const kb = (bytes) => (bytes / 1024).toFixed(2);

const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a command to the server's callgrind (`-z` zero the counters, `-d` dump them). Valgrind
 * reads its commands only while the guest runs code, so the server is kept busy with IPC
 * requests until callgrind_control has its answer.
 */
async function callgrindCommand(rig, flag) {
  let answered = false;
  const command = run('callgrind_control', [flag, String(rig.server.pid)], { timeout: 120_000 });
  void command.finally(() => (answered = true)).catch(() => {});
  while (!answered) {
    await rig.server.request('info', {}, 120_000);
    await sleep(50);
  }
  await command;
}

/**
 * Instructions of the main thread (`-01`) in the newest callgrind dump of `pid` (its `totals:`
 * line). V8's compiler and GC helper threads are left out: how much they compile during a run
 * varies from run to run by more than the difference being measured.
 */
function lastDumpInstructions(dir, pid) {
  const dumps = readdirSync(dir)
    .filter((name) => name.startsWith(`cg.${pid}.`) && name.endsWith('-01'))
    .sort((a, b) => parseInt(a.split('.').pop()) - parseInt(b.split('.').pop()));
  const text = readFileSync(join(dir, dumps.at(-1)), 'utf8');
  return Number(/^(?:totals|summary): (\d+)/m.exec(text)[1]);
}

/**
 * Instructions per delivery, each server alone under callgrind (about 50× slower, so one run
 * per size, small sizes): counters zeroed after the warm-up, dumped once every subscriber has
 * the run's events. Instruction counts do not depend on the machine's load at all.
 */
async function instructionsPerDelivery() {
  mkdirSync(callgrindDir, { recursive: true });
  const rows = [];
  for (const kind of KINDS) {
    const rig = await BenchRig.start({
      kind,
      serverOptions: { redis: { url: redisUrl, prefix: `bench-${process.pid}-${kind}:` } },
      wrapper: [
        'valgrind',
        '--tool=callgrind',
        // V8 writes and rewrites machine code: valgrind must notice it.
        '--smc-check=all-non-file',
        '--separate-threads=yes',
        `--callgrind-out-file=${callgrindDir}/cg.%p`,
      ],
    });
    for (const size of sizes) {
      await rig.connect(size);
      const count = Math.max(10, Math.round(eventsAt1k * (1000 / size)));
      const slow = { quietMs: 30_000, capMs: 600_000 };
      // A long warm-up: V8 must be done optimizing the hot path before the counters start.
      await rig.publishRun({ path: 'http', count: Math.ceil(count / 2), rate: 5, ...slow });
      await callgrindCommand(rig, '-z');
      const result = await rig.publishRun({ path: 'http', count, rate: 5, ...slow });
      await callgrindCommand(rig, '-d');
      if (result.lost > 0) throw new Error(`${kind} lost ${result.lost} of ${result.expected}`);
      const instructions = lastDumpInstructions(callgrindDir, rig.server.pid);
      rows.push({ kind, size, perDelivery: instructions / result.deliveries });
      console.log(
        `${kind}: ${size} × ${count} events, ${instructions} instructions, ` +
          `${Math.round(instructions / result.deliveries)} per delivery`,
      );
    }
    await rig.stop();
  }
  console.log('\n| subscribers | server | instructions/delivery | ÷ raw-cork |');
  console.log('| --: | --- | --: | --: |');
  for (const row of rows) {
    const raw = rows.find((r) => r.size === row.size && r.kind === 'raw-cork') ?? row;
    console.log(
      `| ${row.size} | ${row.kind} | ${Math.round(row.perDelivery)} | ${(row.perDelivery / raw.perDelivery).toFixed(3)}× |`,
    );
  }
}

async function main() {
  if (callgrindDir) return instructionsPerDelivery();
  const rigs = {};
  for (const kind of KINDS) {
    rigs[kind] = await BenchRig.start({
      kind,
      serverOptions: { redis: { url: redisUrl, prefix: `bench-${process.pid}-${kind}:` } },
      cpuProfileDir: profileDir && `${profileDir}/${kind}`,
    });
  }
  const memoryBefore = {};
  for (const kind of KINDS) memoryBefore[kind] = await rigs[kind].memory();

  const rows = [];
  for (const size of sizes) {
    for (const kind of KINDS) {
      const { ms } = await rigs[kind].connect(size);
      const memory = await rigs[kind].memory();
      const rssPerConn = (memory.rss - memoryBefore[kind].rss) / size;
      console.log(
        `${kind}: ${size} subscribers in ${(ms / 1000).toFixed(1)} s, ${kb(rssPerConn)} KB RSS each`,
      );
      rows.push({ size, kind, rssPerConn });
    }
    const scale = 1000 / size;
    const count = Math.max(10, Math.round(eventsAt1k * scale));
    const rate = Math.max(1, rateAt1k * scale);
    for (const kind of KINDS) await rigs[kind].publishRun({ path: 'http', count: 5, rate });
    const samples = Object.fromEntries(KINDS.map((kind) => [kind, []]));
    const userSamples = Object.fromEntries(KINDS.map((kind) => [kind, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...KINDS].reverse() : KINDS;
      for (const kind of order) {
        const run = await rigs[kind].publishRun({ path: 'http', count, rate });
        if (run.lost > 0) throw new Error(`${kind} lost ${run.lost} of ${run.expected}`);
        samples[kind].push(run.serverCpuUsPerDelivery);
        userSamples[kind].push(run.serverCpuUsPerDelivery * run.serverUserShare);
        console.log(
          `  ${size} × ${count} events at ${rate.toFixed(1)}/s ${kind}: ` +
            `${run.serverCpuUsPerDelivery.toFixed(3)} µs CPU/delivery ` +
            `(${(run.serverUserShare * 100).toFixed(0)}% user)`,
        );
      }
    }
    for (const kind of KINDS) {
      const row = rows.find((r) => r.size === size && r.kind === kind);
      row.cpuUs = median(samples[kind]);
      row.min = Math.min(...samples[kind]);
      row.max = Math.max(...samples[kind]);
      row.userUs = median(userSamples[kind]);
    }
  }

  console.log(
    '\n| subscribers | server | CPU µs/delivery (median) | min–max | ÷ raw-cork | user µs/delivery | ÷ raw-cork | RSS KB/conn | ÷ raw-cork |',
  );
  console.log('| --: | --- | --: | --: | --: | --: | --: | --: | --: |');
  for (const row of rows) {
    const raw = rows.find((r) => r.size === row.size && r.kind === 'raw-cork');
    console.log(
      `| ${row.size} | ${row.kind} | ${row.cpuUs.toFixed(3)} | ${row.min.toFixed(3)}–${row.max.toFixed(3)} | ` +
        `${(row.cpuUs / raw.cpuUs).toFixed(2)}× | ${row.userUs.toFixed(3)} | ${(row.userUs / raw.userUs).toFixed(2)}× | ` +
        `${kb(row.rssPerConn)} | ${(row.rssPerConn / raw.rssPerConn).toFixed(2)}× |`,
    );
  }
  await Promise.all(Object.values(rigs).map((rig) => rig.stop()));
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(stopAll);
