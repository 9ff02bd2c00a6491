import { BenchRig } from '../harness/bench-rig.mjs';

/**
 * Scenario 5, two nodes over Redis (`scaling: 'redis'`): subscribers on node B, events
 * published through node A's HTTP API. Measures the latency one Redis hop adds (against the
 * same subscribers fed by node B itself, in the same run) and checks exactly one copy per
 * subscriber both ways (a node must not also receive its own publish back from Redis).
 */
export async function runTwoNodes({
  redisUrl,
  prefix,
  subscribers,
  rate,
  seconds,
  clientProcesses,
  log,
}) {
  const serverOptions = { scaling: 'redis', redis: { url: redisUrl, prefix } };
  // Both nodes start side by side; whichever started is stopped even if the other failed.
  const started = await Promise.allSettled([
    BenchRig.start({ kind: 'ours', serverOptions, clientProcesses: 1, label: 'node A' }),
    BenchRig.start({ kind: 'ours', serverOptions, clientProcesses, label: 'node B' }),
  ]);
  const [nodeA, nodeB] = started.map((outcome) => outcome.value);
  const failed = started.find((outcome) => outcome.status === 'rejected');
  try {
    if (failed) throw failed.reason;
    await nodeB.connect(subscribers);
    const count = Math.max(5, Math.round(rate * seconds));
    // Warm-up both paths; a cluster that does not deliver across nodes is reported, not fatal.
    const probe = await nodeB.publishRun({
      path: 'http',
      count: 3,
      rate,
      quietMs: 1000,
      publishPort: nodeA.info.port,
    });
    if (probe.deliveries === 0) {
      return {
        measured: false,
        reason:
          "events published on node A's HTTP API reached none of node B's subscribers: " +
          "the server's `scaling: 'redis'` option does not carry events across nodes yet",
      };
    }
    await nodeB.publishRun({ path: 'http', count: 3, rate });
    const sameNode = await nodeB.publishRun({ path: 'http', count, rate });
    const crossNode = await nodeB.publishRun({
      path: 'http',
      count,
      rate,
      publishPort: nodeA.info.port,
    });
    const summary = (r) => ({
      latencyUs: r.latencyUs,
      lost: r.lost,
      socketsExact: r.socketsExact,
      socketsWithDuplicates: r.socketsWithDuplicates,
      subscribers: r.subscribers,
    });
    const result = {
      measured: true,
      rate,
      sameNode: summary(sameNode),
      crossNode: summary(crossNode),
    };
    log(
      `  one Redis hop adds ${((crossNode.latencyUs.p50 - sameNode.latencyUs.p50) / 1000).toFixed(2)} ms at p50; ` +
        `exactly once: ${crossNode.socketsExact}/${crossNode.subscribers} sockets`,
    );
    return result;
  } finally {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  }
}
