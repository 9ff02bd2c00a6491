/**
 * Scenario 1, fan-out throughput: one channel with N subscribers on every server, events
 * published open loop faster than any server here can deliver them, so deliveries per second
 * is each server's ceiling on this machine; the server's CPU per delivery (from /proc) is the
 * figure least disturbed by the load generators sharing the cores.
 * Runs alternate between servers, round after round, and report the median, so a burst of
 * noise from other users of the machine hits every server alike. Ours runs twice, with
 * Prometheus metrics off (`ours`) and on (`ours-metrics`), so their ratio is the metrics' cost.
 */
export const FAN_OUT_SUBJECTS = [
  { kind: 'raw-ws', path: 'http' },
  { kind: 'raw-frame', path: 'http' },
  { kind: 'raw-cork', path: 'http' },
  { kind: 'socketio', path: 'http' },
  { kind: 'ours', path: 'http' },
  { kind: 'ours-metrics', path: 'http' },
  { kind: 'raw-ws', path: 'redis' },
  { kind: 'ours', path: 'redis' },
  { kind: 'ours-metrics', path: 'redis' },
];

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export async function runFanOut({ rigs, sizes, deliveriesPerRun, offeredPerSec, rounds, log }) {
  const rows = [];
  const subjects = FAN_OUT_SUBJECTS.filter((s) => rigs[s.kind]);
  for (const size of sizes) {
    try {
      await Promise.all(
        Object.entries(rigs).map(async ([kind, rig]) => {
          if (rig.subscribers >= size) return;
          const { ms } = await rig.connect(size);
          log(`  ${kind}: ${size} subscribers connected in ${(ms / 1000).toFixed(1)} s`);
        }),
      );
    } catch (error) {
      // A subscription that times out on a loaded machine costs this size and the larger
      // ones (the rigs are left part-connected), not the sizes already measured.
      const reason = String(error?.message ?? error).split('\n')[0];
      log(`  ${size} subscribers not measured: ${reason}`);
      rows.push({ subscribers: size, unmeasured: reason });
      break;
    }
    const count = Math.max(5, Math.round(deliveriesPerRun / size));
    const rate = Math.max(1, offeredPerSec / size);
    for (const { kind, path } of subjects) {
      // Warm-up (JIT, buffers, Redis subscription); not measured.
      await rigs[kind].publishRun({ path, count: Math.max(3, Math.round(count / 5)), rate });
    }
    const samples = new Map(subjects.map((s) => [`${s.kind}/${s.path}`, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no server always runs right after the same neighbour.
      const order = subjects.map((_, n) => subjects[(n + round) % subjects.length]);
      for (const { kind, path } of order) {
        const result = await rigs[kind].publishRun({ path, count, rate });
        samples.get(`${kind}/${path}`).push(result);
        log(
          `  ${size} subs ${kind}/${path}: ${Math.round(result.deliveriesPerSec)} deliveries/s, ` +
            `${result.serverCpuUsPerDelivery.toFixed(2)} µs CPU/delivery, lost ${result.lost}`,
        );
      }
    }
    for (const { kind, path } of subjects) {
      const runs = samples.get(`${kind}/${path}`);
      rows.push({
        subscribers: size,
        kind,
        path,
        runs: runs.length,
        messagesPerRun: count,
        offeredPerSec: rate * size,
        deliveriesPerSec: median(runs.map((r) => r.deliveriesPerSec)),
        cpuUsPerDelivery: median(runs.map((r) => r.serverCpuUsPerDelivery)),
        userShare: median(runs.map((r) => r.serverUserShare)),
        lost: runs.reduce((sum, r) => sum + r.lost, 0),
        expected: runs.reduce((sum, r) => sum + r.expected, 0),
        socketsWithDuplicates: Math.max(...runs.map((r) => r.socketsWithDuplicates)),
        publishErrors: runs.reduce((sum, r) => sum + r.publishErrors, 0),
        publishFirstError: runs.find((r) => r.publishFirstError)?.publishFirstError,
        closeCodes: runs.map((r) => r.closeCodes).filter((c) => Object.keys(c).length),
      });
    }
  }
  return rows;
}
