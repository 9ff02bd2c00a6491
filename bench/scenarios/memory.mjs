import { BenchRig } from '../harness/bench-rig.mjs';

/**
 * Scenario 3, memory: a fresh server per kind, then idle subscribed connections added in
 * steps; RSS and heap (after forced GCs in the server process) per connection are the growth
 * since the empty server divided by the connections. Kernel socket buffers are not in RSS.
 * A server with Prometheus metrics on also reports what one scrape costs at each size (the
 * median of three): prom-client's default metrics list every socket.
 */
async function scrapeCost(rig) {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const run = await rig.server.request('scrape');
    if (!run) return undefined; // metrics off
    runs.push(run);
  }
  runs.sort((a, b) => a.cpuMs - b.cpuMs);
  return runs[1];
}

export async function runMemory({ kinds, sizes, clientProcesses, parallel, log }) {
  const rows = [];
  const measure = async ({ kind, maxSize = Infinity }) => {
    const rig = await BenchRig.start({ kind, clientProcesses });
    try {
      const empty = await rig.memory();
      for (const size of sizes.filter((s) => s <= maxSize)) {
        const { ms } = await rig.connect(size);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const used = await rig.memory();
        const row = {
          kind,
          connections: rig.subscribers,
          rssBytes: used.rss,
          heapUsedBytes: used.heapUsed,
          rssPerConnection: (used.rss - empty.rss) / rig.subscribers,
          heapPerConnection: (used.heapUsed - empty.heapUsed) / rig.subscribers,
          externalPerConnection: (used.external - empty.external) / rig.subscribers,
          connectSeconds: ms / 1000,
          scrape: await scrapeCost(rig),
        };
        rows.push(row);
        log(
          `  ${kind} ${size} idle: ${(row.rssPerConnection / 1024).toFixed(1)} KB RSS, ` +
            `${(row.heapPerConnection / 1024).toFixed(1)} KB heap per connection`,
        );
      }
    } finally {
      await rig.stop();
    }
  };
  // Servers side by side save time (quick mode); one at a time keeps ephemeral ports and
  // cores for the one being measured (full mode, 19,000 connections).
  if (parallel) await Promise.all(kinds.map(measure));
  else for (const kind of kinds) await measure(kind);
  return rows.sort((a, b) => a.connections - b.connections || a.kind.localeCompare(b.kind));
}
