/**
 * Turns one run's results into the markdown tables of bench/README.md: every figure of ours
 * beside its baseline from the same run, as a ratio, and the issue's targets checked.
 */
const LABELS = {
  'raw-ws': 'raw ws (`ws.send` loop)',
  'raw-frame': 'raw ws (pre-framed `socket.write`)',
  'raw-cork': 'raw ws (`ws.send`, sockets corked per loop turn)',
  socketio: 'Socket.IO 4 (`io.to(room).emit`)',
  ours: '**ours**',
  'ours-metrics': '**ours, Prometheus metrics on**',
};

/** The issue's bound on what metrics may cost in fan-out: within 3 % of ours without them. */
const METRICS_COST_BOUND = 0.03;

const num = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : 'n/a';
const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
const ms = (us) => (Number.isFinite(us) ? (us / 1000).toFixed(2) : 'n/a');
const kb = (bytes) => (Number.isFinite(bytes) ? (bytes / 1024).toFixed(1) : 'n/a');
const verdict = (ok) => (ok === undefined ? 'not measured' : ok ? 'met' : '**missed**');

function queueSection(queue) {
  const rows = [
    ['inline, redis driver', queue.inline],
    ['queued on BullMQ, one worker, concurrency 1', queue.queuedC1],
    ['queued on BullMQ, one worker, concurrency 10', queue.queuedC10],
  ].filter(([, row]) => row);
  return (
    `| path (${queue.window} dispatches in flight) | broadcasts | broadcasts/s |\n|---|---:|---:|\n` +
    rows.map(([name, row]) => `| ${name} | ${num(row.count)} | ${num(row.perSec)} |`).join('\n') +
    '\n'
  );
}

function failed(section) {
  return section?.error ? `Not measured: the scenario failed (${section.error}).\n` : undefined;
}

function fanOutSection(allRows, targets) {
  if (!allRows) return '';
  const rows = allRows.filter((row) => !row.unmeasured);
  const notes = allRows
    .filter((row) => row.unmeasured)
    .map((row) => `\nNot measured from ${num(row.subscribers)} subscribers on: ${row.unmeasured}\n`)
    .join('');
  if (rows.length === 0) return notes;
  const find = (size, kind, path) =>
    rows.find((r) => r.subscribers === size && r.kind === kind && r.path === path);
  const lines = [
    '| Subscribers | Server | Publish path | Deliveries/s | vs raw ws | vs Socket.IO | Server CPU µs/delivery | CPU vs raw ws | Lost |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const raw = find(row.subscribers, 'raw-ws', row.path);
    const sio = find(row.subscribers, 'socketio', 'http');
    const isBaseline = row.kind === 'raw-ws';
    lines.push(
      `| ${num(row.subscribers)} | ${LABELS[row.kind]} | ${row.path} | ${num(row.deliveriesPerSec)} | ` +
        `${isBaseline ? '1.00×' : ratio(row.deliveriesPerSec / raw?.deliveriesPerSec)} | ` +
        `${row.kind === 'socketio' || row.path !== 'http' ? '' : ratio(row.deliveriesPerSec / sio?.deliveriesPerSec)} | ` +
        `${num(row.cpuUsPerDelivery, 2)} | ${isBaseline ? '1.00×' : ratio(row.cpuUsPerDelivery / raw?.cpuUsPerDelivery)} | ` +
        `${num(row.lost)} of ${num(row.expected)} |`,
    );
    if (row.kind === 'ours') {
      // Issue 15's bar: the corked raw loop, the fastest Node writes through `ws`.
      const cork = find(row.subscribers, 'raw-cork', row.path);
      if (cork) {
        const vsCork = row.deliveriesPerSec / cork.deliveriesPerSec;
        const cpuVsCork = row.cpuUsPerDelivery / cork.cpuUsPerDelivery;
        targets.push({
          name: `Fan-out ${num(row.subscribers)} subscribers (${row.path}) ≥ 0.95× corked raw ws, deliveries/s`,
          measured: ratio(vsCork),
          ok: Number.isFinite(vsCork) ? vsCork >= 0.95 : undefined,
        });
        targets.push({
          name: `Fan-out ${num(row.subscribers)} subscribers (${row.path}) CPU per delivery ≤ 1.05× corked raw ws`,
          measured: ratio(cpuVsCork),
          ok: Number.isFinite(cpuVsCork) ? cpuVsCork <= 1.05 : undefined,
        });
      }
      const vsRaw = row.deliveriesPerSec / raw?.deliveriesPerSec;
      const cpuVsRaw = raw?.cpuUsPerDelivery / row.cpuUsPerDelivery;
      targets.push({
        name: `Fan-out ${num(row.subscribers)} subscribers (${row.path}) ≥ 0.8× raw ws, deliveries/s`,
        measured: ratio(vsRaw),
        ok: Number.isFinite(vsRaw) ? vsRaw >= 0.8 : undefined,
      });
      targets.push({
        name: `Fan-out ${num(row.subscribers)} subscribers (${row.path}) ≥ 0.8× raw ws, CPU efficiency (raw µs ÷ ours µs)`,
        measured: ratio(cpuVsRaw),
        ok: Number.isFinite(cpuVsRaw) ? cpuVsRaw >= 0.8 : undefined,
      });
      if (row.path === 'http') {
        const vsSio = row.deliveriesPerSec / sio?.deliveriesPerSec;
        targets.push({
          name: `Fan-out ${num(row.subscribers)} subscribers ≥ 2× Socket.IO, deliveries/s`,
          measured: ratio(vsSio),
          ok: Number.isFinite(vsSio) ? vsSio >= 2 : undefined,
        });
        const cpuVsSio = sio?.cpuUsPerDelivery / row.cpuUsPerDelivery;
        targets.push({
          name: `Fan-out ${num(row.subscribers)} subscribers ≥ 2× Socket.IO, CPU efficiency`,
          measured: ratio(cpuVsSio),
          ok: Number.isFinite(cpuVsSio) ? cpuVsSio >= 2 : undefined,
        });
      }
    }
  }
  const runs = rows[0];
  return (
    `Open loop, ${num(runs.runs)} measured run(s) per row (median), offered ${num(runs.offeredPerSec)} deliveries/s ` +
    `(faster than any server here delivers), ${num(runs.messagesPerRun)} events per run at ${num(runs.subscribers)} subscribers. ` +
    `"CPU vs raw ws" is ours ÷ raw (lower is better); "Lost" sums every measured run.\n\n` +
    lines.join('\n') +
    '\n' +
    notes +
    metricsCostSection(rows, targets)
  );
}

/** Ours with Prometheus metrics on beside ours with them off, from the same run. */
function metricsCostSection(rows, targets) {
  const pairs = rows
    .filter((row) => row.kind === 'ours')
    .map((off) => ({
      off,
      on: rows.find(
        (r) =>
          r.kind === 'ours-metrics' && r.subscribers === off.subscribers && r.path === off.path,
      ),
    }))
    .filter((pair) => pair.on);
  if (pairs.length === 0) return '';
  const lines = [
    '| Subscribers | Publish path | Deliveries/s, metrics off | on | on ÷ off | CPU µs/delivery, off | on | on ÷ off |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { off, on } of pairs) {
    const throughput = on.deliveriesPerSec / off.deliveriesPerSec;
    const cpu = on.cpuUsPerDelivery / off.cpuUsPerDelivery;
    lines.push(
      `| ${num(off.subscribers)} | ${off.path} | ${num(off.deliveriesPerSec)} | ${num(on.deliveriesPerSec)} | ` +
        `${ratio(throughput)} | ${num(off.cpuUsPerDelivery, 2)} | ${num(on.cpuUsPerDelivery, 2)} | ${ratio(cpu)} |`,
    );
    const label = `${num(off.subscribers)} subscribers (${off.path})`;
    targets.push({
      name: `Metrics on within 3% of off, fan-out ${label}, deliveries/s`,
      measured: ratio(throughput),
      ok: Number.isFinite(throughput) ? throughput >= 1 - METRICS_COST_BOUND : undefined,
    });
    targets.push({
      name: `Metrics on within 3% of off, fan-out ${label}, CPU per delivery`,
      measured: ratio(cpu),
      ok: Number.isFinite(cpu) ? cpu <= 1 + METRICS_COST_BOUND : undefined,
    });
  }
  return (
    '\nPrometheus metrics on (their own port, default process metrics, scraped every 15 s like Prometheus by default) ' +
    'against off, the same rows as above:\n\n' +
    lines.join('\n') +
    '\n'
  );
}

function latencySection(rows, targets) {
  if (!rows) return '';
  const lines = [
    '| Subscribers | Events/s | Server | Publish path | p50 ms | p99 ms | p99.9 ms | max ms | p99 vs raw ws | p99 vs corked raw ws | Lost |',
    '|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const same = (kind) =>
      rows.find((r) => r.kind === kind && r.path === row.path && r.rate === row.rate);
    const raw = same('raw-ws');
    const cork = same('raw-cork');
    const l = row.latencyUs ?? {};
    const vs = (base) =>
      row.kind === base?.kind ? '1.00×' : base ? ratio(l.p99 / base.latencyUs?.p99) : '';
    lines.push(
      `| ${num(row.subscribers)} | ${row.rate} | ${LABELS[row.kind]} | ${row.path} | ${ms(l.p50)} | ${ms(l.p99)} | ` +
        `${ms(l.p999)} | ${ms(l.max)} | ${vs(raw)} | ${vs(cork)} | ${num(row.lost)} |`,
    );
    if (row.kind === 'ours' && cork) {
      const vsCork = l.p99 / cork.latencyUs?.p99;
      targets.push({
        name: `Latency p99 ≤ 1.1× corked raw ws, ${num(row.subscribers)} subscribers at ${row.rate}/s (${row.path})`,
        measured: `${ratio(vsCork)} (${ms(l.p99)} ms against ${ms(cork.latencyUs?.p99)} ms)`,
        ok: Number.isFinite(vsCork) ? vsCork <= 1.1 : undefined,
      });
    }
    if (row.kind === 'ours') {
      targets.push({
        name: `Latency p99 ≤ 10 ms, ${num(row.subscribers)} subscribers at ${row.rate}/s (${row.path})`,
        measured: `${ms(l.p99)} ms (raw ws: ${ms(raw?.latencyUs?.p99)} ms)`,
        ok: Number.isFinite(l.p99) ? l.p99 <= 10_000 : undefined,
      });
    }
  }
  return lines.join('\n') + '\n';
}

function memorySection(rows, targets) {
  if (!rows) return '';
  const lines = [
    '| Server | Idle subscribed connections | RSS | RSS KB/connection | Heap KB/connection | RSS vs raw ws |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const raw = rows.find((r) => r.kind === 'raw-ws' && r.connections === row.connections);
    lines.push(
      `| ${LABELS[row.kind]} | ${num(row.connections)} | ${num(row.rssBytes / 2 ** 20)} MiB | ${kb(row.rssPerConnection)} | ` +
        `${kb(row.heapPerConnection)} | ${row.kind === 'raw-ws' ? '1.00×' : ratio(row.rssPerConnection / raw?.rssPerConnection)} |`,
    );
    if (row.kind === 'ours' || row.kind === 'ours-metrics') {
      const which = row.kind === 'ours' ? '' : ', metrics on';
      targets.push({
        name: `Memory ≤ 20 KB RSS per idle connection at ${num(row.connections)}${which}`,
        measured: `${kb(row.rssPerConnection)} KB (raw ws: ${kb(raw?.rssPerConnection)} KB)`,
        ok: row.rssPerConnection <= 20 * 1024,
      });
      if (row.kind === 'ours' && raw) {
        const vsRaw = row.rssPerConnection / raw.rssPerConnection;
        targets.push({
          name: `Memory: RSS per idle connection ≤ 1.05× raw ws at ${num(row.connections)}`,
          measured: ratio(vsRaw),
          ok: Number.isFinite(vsRaw) ? vsRaw <= 1.05 : undefined,
        });
      }
    }
  }
  const scrapes = rows.filter((row) => row.scrape);
  if (scrapes.length === 0) return lines.join('\n') + '\n';
  return (
    lines.join('\n') +
    '\n\nOne Prometheus scrape of the server with metrics on (median of three, CPU of the server ' +
    'process, its own HTTP client included): ' +
    scrapes
      .map(
        (row) =>
          `${num(row.scrape.cpuMs, 1)} ms CPU (${num(row.scrape.wallMs, 1)} ms wall, ` +
          `${num(row.scrape.bytes / 1024, 1)} KB) at ${num(row.connections)} connections`,
      )
      .join('; ') +
    '.\n'
  );
}

/** What a contract's schema adds to a dispatch: validation before the driver (issue 16). */
function contractsTable(c) {
  const row = (label, ns) =>
    `| ${label} | ${num(ns)} ns | ${ns === c.typed ? '–' : `${ns >= c.typed ? '+' : '−'}${num(Math.abs(ns - c.typed))} ns`} |`;
  return (
    '\n| emitAsync, BroadcastModule (null driver), one at a time | per emit | vs typed contract |\n' +
    '|---|---:|---:|\n' +
    [
      row('`@Broadcastable()` without a contract', c.noContract),
      row('`@Broadcastable(contract)`, `typed<T>()` payload (no run-time check)', c.typed),
      row('`@Broadcastable(contract)`, zod 4 `z.object` payload', c.zod),
      row('`@Broadcastable(contract)`, valibot 1 `v.object` payload', c.valibot),
    ].join('\n') +
    '\n'
  );
}

function dispatchSection(dispatch, redis, targets) {
  let text = '';
  if (dispatch && !dispatch.error) {
    const lines = [
      '| emitAsync of an @Broadcastable event | plain emitAsync (no BroadcastModule) | with BroadcastModule, null driver | ratio |',
      '|---|---:|---:|---:|',
    ];
    for (const [mode, label] of [
      ['sequential', 'one at a time (`await` each)'],
      ['concurrent100', '100 in flight (`Promise.all`)'],
    ]) {
      const r = dispatch[mode];
      if (!r) continue;
      const x = r.nullDriverNsPerEmit / r.plainNsPerEmit;
      lines.push(
        `| ${label} | ${num(r.plainNsPerEmit)} ns | ${num(r.nullDriverNsPerEmit)} ns | ${ratio(x)} |`,
      );
      targets.push({
        name: `Dispatch ≤ 1.3× plain emitAsync (${label})`,
        measured: ratio(x),
        ok: x <= 1.3,
      });
    }
    text += lines.join('\n') + '\n';
    if (dispatch.contracts) text += contractsTable(dispatch.contracts);
  } else text += failed(dispatch) ?? '';
  if (redis && !redis.error) {
    const x = redis.driverPublishesPerSec / redis.redisBenchmarkPerSec;
    text +=
      '\n| Redis publishing | publishes/s |\n|---|---:|\n' +
      `| redis driver (\`manager.send\`, ${redis.window} in flight, one channel) | ${num(redis.driverPublishesPerSec)} |\n` +
      `| \`${redis.redisBenchmarkCommand}\` | ${num(redis.redisBenchmarkPerSec)} |\n` +
      `| ratio, driver ÷ redis-benchmark | ${ratio(x)} |\n` +
      (redis.redisBenchmarkOneConnectionPerSec
        ? `| \`${redis.redisBenchmarkOneConnectionCommand}\` (one connection, like the driver) | ${num(redis.redisBenchmarkOneConnectionPerSec)} |\n` +
          `| ratio, driver ÷ one-connection redis-benchmark | ${ratio(redis.driverPublishesPerSec / redis.redisBenchmarkOneConnectionPerSec)} |\n`
        : '');
    targets.push({
      name: 'Redis driver ≥ 0.5× redis-benchmark PUBLISH -P 16',
      measured: ratio(x),
      ok: x >= 0.5,
    });
  } else text += failed(redis) ?? '';
  return text;
}

function twoNodesSection(section, targets) {
  if (!section) return '';
  if (section.error) return failed(section);
  if (!section.measured) {
    targets.push({
      name: 'Two nodes: exactly one copy per subscriber',
      measured: 'not measured',
      ok: undefined,
    });
    return `**Not yet measured**: ${section.reason}.\n`;
  }
  const { sameNode: same, crossNode: cross } = section;
  targets.push({
    name: 'Two nodes: exactly one copy per subscriber',
    measured: `${cross.socketsExact}/${cross.subscribers} cross-node, ${same.socketsExact}/${same.subscribers} same-node`,
    ok: cross.socketsExact === cross.subscribers && same.socketsExact === same.subscribers,
  });
  return (
    '| Published on | Subscribers on | p50 ms | p99 ms | max ms | sockets with exactly one copy of each | with duplicates |\n' +
    '|---|---|---:|---:|---:|---:|---:|\n' +
    `| node B | node B | ${ms(same.latencyUs?.p50)} | ${ms(same.latencyUs?.p99)} | ${ms(same.latencyUs?.max)} | ${same.socketsExact}/${same.subscribers} | ${same.socketsWithDuplicates} |\n` +
    `| node A | node B | ${ms(cross.latencyUs?.p50)} | ${ms(cross.latencyUs?.p99)} | ${ms(cross.latencyUs?.max)} | ${cross.socketsExact}/${cross.subscribers} | ${cross.socketsWithDuplicates} |\n` +
    `\nOne Redis hop adds ${ms(cross.latencyUs?.p50 - same.latencyUs?.p50)} ms at p50 and ${ms(cross.latencyUs?.p99 - same.latencyUs?.p99)} ms at p99 (${section.rate} events/s).\n`
  );
}

function workersSection(section, targets) {
  if (!section) return '';
  if (section.error) return failed(section);
  const [one, ...many] = section.runs;
  const spreadOf = (run) =>
    Object.entries(run.spread)
      .map(([worker, n]) => (worker === 'all' ? num(n) : `${worker}: ${num(n)}`))
      .join(', ');
  for (const run of many) {
    const counts = Object.entries(run.spread)
      .filter(([worker]) => worker !== 'all')
      .map(([, n]) => n);
    const even = counts.length === run.workers ? Math.max(...counts) / Math.min(...counts) : NaN;
    const cpu = run.cpuUsPerDelivery / one.cpuUsPerDelivery;
    const joined = run.link === 'ipc' ? 'through the primary' : 'over Redis';
    targets.push({
      name: `Workers (${joined}): connections spread evenly over ${run.workers} (largest ÷ smallest ≤ 1.2)`,
      measured: Number.isFinite(even) ? ratio(even) : 'a worker had none',
      ok: even <= 1.2,
    });
    targets.push({
      name: `Workers (${joined}): CPU per delivery with ${run.workers} workers < 2× one worker`,
      measured: ratio(cpu),
      ok: cpu < 2,
    });
  }
  const row = (run) =>
    `| ${run.workers} | ${run.link === 'ipc' ? 'primary (IPC)' : 'Redis'} | ${spreadOf(run)} | ${num(run.deliveriesPerSec)} | ${run.cpuUsPerDelivery.toFixed(2)} | ` +
    `${ms(run.latencyUs?.p50)} | ${ms(run.latencyUs?.p99)} | ${run.lost} | ${run.socketsWithDuplicates} |\n`;
  return (
    `${num(section.subscribers)} subscribers through the one port of \`serve --workers\`; ` +
    `CPU of every process (primary and workers), latency at ${section.rate} events/s.\n\n` +
    '| Workers | joined | connections per worker | deliveries/s | CPU µs per delivery | p50 ms | p99 ms | lost | duplicates |\n' +
    '|---:|---|---|---:|---:|---:|---:|---:|---:|\n' +
    [one, ...many].map(row).join('')
  );
}

function webhooksSection(section, targets) {
  if (!section) return '';
  if (section.error) return failed(section);
  const { plain, webhooks } = section;
  const speed = webhooks.deliveriesPerSec / plain.deliveriesPerSec;
  const cpu = webhooks.cpuUsPerDelivery / plain.cpuUsPerDelivery;
  const name = `Webhooks within 3% of none, fan-out ${section.subscribers.toLocaleString('en-US')} subscribers`;
  targets.push({
    name: `${name}, deliveries/s`,
    measured: `${speed.toFixed(2)}×`,
    ok: speed >= 0.97,
  });
  targets.push({
    name: `${name}, CPU per delivery`,
    measured: `${cpu.toFixed(2)}×`,
    ok: cpu <= 1.03,
  });
  return (
    '| Server | deliveries/s | µs CPU/delivery | lost |\n|---|---:|---:|---:|\n' +
    `| no webhooks | ${Math.round(plain.deliveriesPerSec).toLocaleString('en-US')} | ${plain.cpuUsPerDelivery.toFixed(2)} | ${plain.lost} |\n` +
    `| webhooks (receiver takes ${section.receiverDelayMs / 1000} s) | ${Math.round(webhooks.deliveriesPerSec).toLocaleString('en-US')} | ${webhooks.cpuUsPerDelivery.toFixed(2)} | ${webhooks.lost} |\n` +
    `\nBoth servers had a channel occupied and vacated ${section.churnPerSec} times a second; the receiver got ` +
    `${section.receiver.requests} requests (${section.receiver.events} events, at most ${section.receiver.maxOpen} open at once). ` +
    `Ratio (webhooks / none): ${speed.toFixed(2)}× deliveries/s, ${cpu.toFixed(2)}× CPU per delivery (median of ${section.rounds} rounds).\n`
  );
}

function redisClusterSection(section, targets) {
  if (!section) return '';
  if (section.error) return failed(section);
  const { single, cluster, shards } = section;
  const gap = (cluster.latencyUs.p50 - single.latencyUs.p50) / 1000;
  targets.push({
    name: 'Redis Cluster: cross-node p50 within 1 ms of one Redis',
    measured: `${ms(cluster.latencyUs.p50)} vs ${ms(single.latencyUs.p50)} ms`,
    ok: gap <= 1,
  });
  const bounded =
    shards.occupied - shards.idle <= section.channels && shards.vacated === shards.idle;
  targets.push({
    name: 'Redis Cluster: shard channels bounded by occupied channels',
    measured: `${shards.idle} -> ${shards.occupied} -> ${shards.vacated} (${section.channels} channels)`,
    ok: bounded,
  });
  return (
    '| Nodes over | p50 ms | p99 ms | sockets with exactly one copy |\n' +
    '|---|---:|---:|---:|\n' +
    `| one Redis | ${ms(single.latencyUs.p50)} | ${ms(single.latencyUs.p99)} | ${single.socketsExact}/${single.subscribers} |\n` +
    `| Redis Cluster, 3 masters (sharded pub/sub) | ${ms(cluster.latencyUs.p50)} | ${ms(cluster.latencyUs.p99)} | ${cluster.socketsExact}/${cluster.subscribers} |\n` +
    `\nShard channels of both nodes: ${shards.idle} idle, ${shards.occupied} with one socket on ` +
    `${section.channels} channels (per master: ${shards.perMaster.join(', ')}), ${shards.vacated} after it left.\n`
  );
}

export function renderReport(results) {
  const targets = [];
  const m = results.machine;
  const sections = [
    `## Results (${results.mode} mode, ${m.date})\n`,
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memory} RAM, Node ${m.node}, ${m.redisServer.split(' ').slice(0, 3).join(' ')}, ` +
      `open-file limit ${m.openFilesLimit}, load average at start ${m.loadAverageAtStart.split(' ').slice(0, 3).join(' ')}. ` +
      `Run took ${results.seconds?.toFixed(0)} s.${results.note ? ` **Note: ${results.note}.**` : ''}\n`,
    '### 1. Fan-out throughput\n',
    failed(results.fanout) ?? fanOutSection(results.fanout, targets),
    '### 2. Latency (publish → receipt, against the intended send time)\n',
    failed(results.latency) ?? latencySection(results.latency, targets),
    '### 3. Memory per idle subscribed connection\n',
    failed(results.memory) ?? memorySection(results.memory, targets),
    '### 4. Dispatch cost\n',
    dispatchSection(results.dispatch, results.redis, targets),
    '### 5. Two nodes over Redis\n',
    twoNodesSection(results['two-nodes'], targets),
    results.workers && '### 6. Several workers on one port\n',
    workersSection(results.workers, targets),
    results.webhooks ? '### 7. Fan-out with webhooks\n' : '',
    webhooksSection(results.webhooks, targets),
    results.queue && '### 8. Queued broadcasts (dispatch → PUBLISH)\n',
    results.queue && (failed(results.queue) ?? queueSection(results.queue)),
    results['redis-cluster'] && '### 9. Redis Cluster\n',
    redisClusterSection(results['redis-cluster'], targets),
  ];
  sections.push(
    '### Targets\n',
    '| Target | Measured | Verdict |\n|---|---|---|\n' +
      targets.map((t) => `| ${t.name} | ${t.measured} | ${verdict(t.ok)} |`).join('\n') +
      '\n',
  );
  return sections.filter(Boolean).join('\n');
}
