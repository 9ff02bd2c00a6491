import WebSocket from 'ws';
import { BenchRig } from '../harness/bench-rig.mjs';
import { startRedisCluster } from '../harness/redis-cluster.mjs';

/**
 * Scenario 6, scaling on a Redis Cluster: (a) the cross-node hop, two nodes over one Redis
 * against two nodes over a three-master cluster (sharded pub/sub), in one run; (b) how many
 * shard channels the nodes hold as one socket occupies `channels` channels and leaves them.
 */
export async function runRedisCluster({
  redisUrl,
  prefix,
  subscribers,
  rate,
  seconds,
  channels,
  log,
}) {
  const cluster = await startRedisCluster({ masters: 3 });
  log(`  Redis Cluster up: ${cluster.seeds.join(',')}`);
  try {
    const single = await crossNodeHop(
      { scaling: 'redis', redis: { url: redisUrl, prefix: `${prefix}single:` } },
      { subscribers, rate, seconds, log },
    );
    log(`  one Redis: p50 ${ms(single.hop.latencyUs.p50)} ms`);
    const clusterPrefix = `${prefix}cluster:`;
    const sharded = await crossNodeHop(
      { scaling: 'redis', redis: { cluster: cluster.seeds, prefix: clusterPrefix } },
      { subscribers, rate, seconds, log },
      (nodeB) =>
        shardChannelCounts(nodeB, cluster, `${clusterPrefix}nestjs-broadcasting:*`, channels),
    );
    const result = {
      rate,
      channels,
      single: single.hop,
      cluster: sharded.hop,
      shards: sharded.extra,
    };
    log(
      `  cross-node p50: one Redis ${ms(single.hop.latencyUs.p50)} ms, cluster ${ms(sharded.hop.latencyUs.p50)} ms; ` +
        `shard channels ${sharded.extra.idle} -> ${sharded.extra.occupied} -> ${sharded.extra.vacated}`,
    );
    return result;
  } finally {
    await cluster.stop();
  }
}

/** Subscribers on node B, published on node A's HTTP API; `extra` runs with both nodes up. */
async function crossNodeHop(serverOptions, { subscribers, rate, seconds, log }, extra) {
  const started = await Promise.allSettled([
    BenchRig.start({ kind: 'ours', serverOptions, clientProcesses: 1, label: 'node A' }),
    BenchRig.start({ kind: 'ours', serverOptions, clientProcesses: 1, label: 'node B' }),
  ]);
  const [nodeA, nodeB] = started.map((outcome) => outcome.value);
  const failed = started.find((outcome) => outcome.status === 'rejected');
  try {
    if (failed) throw failed.reason;
    log(`  nodes up; connecting ${subscribers} subscribers`);
    await nodeB.connect(subscribers);
    log('  subscribers connected; publishing');
    const count = Math.max(5, Math.round(rate * seconds));
    const warm = await nodeB.publishRun({
      path: 'http',
      count: 3,
      rate,
      quietMs: 1000,
      publishPort: nodeA.info.port,
    });
    if (warm.deliveries === 0)
      throw new Error("node A's publishes reached none of node B's subscribers");
    const run = await nodeB.publishRun({ path: 'http', count, rate, publishPort: nodeA.info.port });
    return {
      hop: {
        latencyUs: run.latencyUs,
        lost: run.lost,
        socketsExact: run.socketsExact,
        subscribers: run.subscribers,
      },
      extra: extra && (log('  counting shard channels'), await extra(nodeB)),
    };
  } finally {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  }
}

/**
 * Shard channels under the nodes' namespace, summed over the masters: idle, with one socket
 * on node B subscribed to `channels` channels, and after it closed.
 */
async function shardChannelCounts(nodeB, cluster, pattern, channels) {
  const total = async () =>
    Object.values(await cluster.shardChannels(pattern)).reduce((a, b) => a + b, 0);
  const idle = await total();
  const ws = new WebSocket(nodeB.url);
  await new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (raw) => {
      if (JSON.parse(raw).event === 'pusher:connection_established') resolve();
    });
  });
  // One at a time: the server closes a socket that piles up messages while a subscription
  // is pending (4100), as pusher-js never does.
  let confirm;
  ws.on('message', (raw) => {
    if (JSON.parse(raw).event === 'pusher_internal:subscription_succeeded') confirm?.();
  });
  for (let i = 0; i < channels; i++) {
    const confirmed = new Promise((resolve) => (confirm = resolve));
    ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: `occupied-${i}` } }));
    await confirmed;
  }
  const perMaster = await cluster.shardChannels(pattern);
  const occupied = Object.values(perMaster).reduce((a, b) => a + b, 0);
  ws.close();
  const vacated = await settle(total, idle);
  return { idle, occupied, vacated, perMaster: Object.values(perMaster) };
}

/** Polls until the count is back to `target` (or 30 s passed), and returns the last count. */
async function settle(count, target) {
  const deadline = Date.now() + 30_000;
  let last = await count();
  while (last !== target && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await count();
  }
  return last;
}

const ms = (us) => (us / 1000).toFixed(2);
