/**
 * Scenario 2, latency: N subscribers (1,000 in the issue) and a steady open-loop publish rate
 * (100 events/s in the issue); latency runs from each event's intended send time to its
 * receipt, so a publisher or server that falls behind shows up in the tail.
 */
export const LATENCY_SUBJECTS = [
  { kind: 'raw-ws', path: 'http' },
  { kind: 'raw-cork', path: 'http' },
  { kind: 'socketio', path: 'http' },
  { kind: 'ours', path: 'http' },
  { kind: 'raw-ws', path: 'redis' },
  { kind: 'ours', path: 'redis' },
];

export async function runLatency({ rigs, subscribers, steps, log }) {
  const rows = [];
  const subjects = LATENCY_SUBJECTS.filter((s) => rigs[s.kind]);
  await Promise.all(Object.values(rigs).map((rig) => rig.connect(subscribers)));
  for (const { kind, path } of subjects) {
    // Warm-up (JIT, keep-alive sockets, Redis subscription), not measured.
    await rigs[kind].publishRun({ path, count: 10, rate: steps[0].rate });
  }
  for (const { rate, seconds } of steps) {
    for (const { kind, path } of subjects) {
      const rig = rigs[kind];
      const result = await rig.publishRun({ path, count: Math.round(rate * seconds), rate });
      rows.push({
        subscribers: rig.subscribers,
        rate,
        kind,
        path,
        latencyUs: result.latencyUs,
        lost: result.lost,
        publishErrors: result.publishErrors,
        publishFirstError: result.publishFirstError,
        deliveries: result.deliveries,
        cpuUsPerDelivery: result.serverCpuUsPerDelivery,
      });
      const l = result.latencyUs;
      log(
        `  ${rate}/s ${kind}/${path}: p50 ${(l?.p50 / 1000).toFixed(2)} ms, p99 ${(l?.p99 / 1000).toFixed(2)} ms, ` +
          `max ${(l?.max / 1000).toFixed(2)} ms, lost ${result.lost}`,
      );
    }
  }
  return rows;
}
