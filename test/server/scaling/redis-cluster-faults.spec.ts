import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  recordingLogger,
  serverSdk,
  uniquePrefix,
  waitFor,
} from '../support/broadcast-server-harness.js';
import { RawClient, TEST_APP } from '../support/engine-harness.js';
import {
  startBroadcastServer,
  type BroadcastServerHandle,
} from '../../../lib/server/hosting/start-broadcast-server.js';
import { RedisClusterProcess } from '../../support/redis-cluster.js';
import { RedisScalingKeys } from '../../../lib/server/cluster/redis/redis-scaling-keys.js';

/**
 * Faults of a Redis Cluster under two running server nodes, which are never restarted: a
 * master killed and restarted empty (no replica: its slots are down meanwhile), a slot moved
 * to another master (MOVED / ASK), and a master killed with a replica promoted in its place.
 */

/** A busy two-core machine: failovers and resubscriptions get generous deadlines. */
const RECOVERY_MS = 60_000;
const SETTLE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Setup {
  redis: RedisClusterProcess;
  nodes: BroadcastServerHandle[];
  logs: string[];
  ns: string;
  clients: RawClient[];
}

/** A cluster of `replicasPerMaster` replicas per master, and two server nodes on it. */
function useClusterNodes(name: string, replicasPerMaster: number): Setup {
  const prefix = uniquePrefix(name);
  const setup = {
    nodes: [],
    logs: [],
    ns: `${prefix}nestjs-broadcasting:`,
    clients: [],
  } as unknown as Setup;
  beforeAll(async () => {
    setup.redis = await RedisClusterProcess.start({ masters: 3, replicasPerMaster });
    for (let i = 0; i < 2; i++)
      setup.nodes.push(
        await startBroadcastServer({
          apps: [TEST_APP],
          host: '127.0.0.1',
          port: 0,
          logger: recordingLogger(setup.logs),
          localHub: false,
          scaling: 'redis',
          redis: { cluster: setup.redis.seeds, prefix },
        }),
      );
  }, 180_000);
  afterAll(async () => {
    for (const client of setup.clients) client.ws.terminate();
    for (const node of setup.nodes) await node.close();
    await setup.redis?.stop();
  }, 60_000);
  return setup;
}

async function raw(setup: Setup, node: BroadcastServerHandle): Promise<RawClient> {
  const client = await RawClient.connect(`ws://127.0.0.1:${node.port}/app/${TEST_APP.key}`);
  setup.clients.push(client);
  return client;
}

async function up(node: BroadcastServerHandle) {
  const res = await fetch(`http://127.0.0.1:${node.port}/up`);
  return (await res.json()) as {
    status: string;
    scaling: { shards: Array<{ node: string; slots: number; state: string }> };
  };
}

/**
 * A channel and the master its relay shard channel lives on. Whichever master that is, it
 * holds some of the presence buckets too, and killing it stops only those: the heartbeat goes
 * on in the buckets of the other masters.
 */
async function channelOnShard(setup: Setup, channel: string) {
  const shardChannel = `${setup.ns}b:{${TEST_APP.id}:${channel}}`;
  return { channel, shardChannel, owner: await setup.redis.ownerOf(shardChannel) };
}

/** A presence channel whose bucket lives on the master on `port`. */
async function presenceChannelOn(setup: Setup, port: number, name: string): Promise<string> {
  const keys = new RedisScalingKeys(setup.ns, true);
  for (let i = 0; ; i++) {
    const channel = `presence-${name}-${i}`;
    if ((await setup.redis.ownerOf(keys.bucketOf(TEST_APP.id, channel).nodes)) === port)
      return channel;
  }
}

/** The user ids of a presence channel, asked of a node over the HTTP API. */
async function users(node: BroadcastServerHandle, channel: string): Promise<string[]> {
  const res = await serverSdk(node, TEST_APP).get({ path: `/channels/${channel}/users` });
  const body = (await res.json()) as { users: Array<{ id: string }> };
  return body.users.map((user) => user.id).sort();
}

/**
 * Publishes on node 0 until node 1's subscriber hears one (the cluster may need a while to
 * settle, and a publish sent before the resubscription is lost by design), then checks that
 * one more publish arrives exactly once.
 */
async function deliversAcrossNodes(setup: Setup, subscriber: RawClient, channel: string) {
  const sdk = serverSdk(setup.nodes[0], TEST_APP);
  const probes = subscriber.all('probe', channel).length;
  await waitFor(
    async () => {
      await sdk.trigger(channel, 'probe', {}).catch(() => undefined);
      await sleep(250);
      return subscriber.all('probe', channel).length > probes;
    },
    RECOVERY_MS,
    `node 1 to hear node 0 on ${channel} again`,
  );
  const before = subscriber.all('check', channel).length;
  await sdk.trigger(channel, 'check', { n: 1 });
  await waitFor(() => subscriber.all('check', channel).length > before, 10_000, 'the check');
  await sleep(SETTLE_MS);
  expect(subscriber.all('check', channel).length).toBe(before + 1);
}

describe('a master killed and restarted, without replicas', () => {
  const setup = useClusterNodes('cluster-restart', 0);

  it('reports the shard down in GET /up and the log, and delivers again once it is back', async () => {
    const { redis, nodes, logs } = setup;
    const { channel, owner } = await channelOnShard(setup, 'restart');
    const subscriber = await raw(setup, nodes[1]);
    await subscriber.subscribe(channel);
    await (await raw(setup, nodes[0])).subscribe(channel);
    await deliversAcrossNodes(setup, subscriber, channel);
    // A member in a bucket of the master about to restart empty.
    const room = await presenceChannelOn(setup, owner, 'restart');
    await (await raw(setup, nodes[0])).subscribe(room, { user_id: 'keeper', user_info: {} });
    expect(await users(nodes[1], room)).toEqual(['keeper']);

    await redis.killNode(owner);
    await waitFor(
      async () => {
        const health = await up(nodes[0]);
        return (
          health.status === 'degraded' &&
          health.scaling.shards.some((s) => s.node === `127.0.0.1:${owner}` && s.state === 'down')
        );
      },
      RECOVERY_MS,
      'GET /up to report the shard down',
    );
    expect(logs.join('\n')).toContain(`Redis Cluster shard 127.0.0.1:${owner} (`);
    expect(logs.join('\n')).toMatch(/does not answer/);

    await redis.startNode(owner);
    await redis.waitHealthy();
    await waitFor(
      async () => (await up(nodes[0])).status === 'ok',
      RECOVERY_MS,
      'GET /up to be ok again',
    );
    expect(logs.join('\n')).toContain(`Redis Cluster shard 127.0.0.1:${owner} (`);
    expect(logs.join('\n')).toMatch(/answers; ioredis subscribes its channels again/);
    await deliversAcrossNodes(setup, subscriber, channel);
    // Node 0 found its key gone in the restarted master's buckets and wrote them back.
    await waitFor(
      async () => (await users(nodes[1], room).catch(() => [] as string[])).includes('keeper'),
      RECOVERY_MS,
      'the restarted buckets written back',
    );
  }, 180_000);

  it('follows a slot moved to another master (MOVED / ASK) without restarting a node', async () => {
    const { redis, nodes } = setup;
    const { channel, shardChannel, owner } = await channelOnShard(setup, 'moved');
    const subscriber = await raw(setup, nodes[1]);
    await subscriber.subscribe(channel);
    await deliversAcrossNodes(setup, subscriber, channel);
    const target = (await redis.masterPorts()).find((p) => p !== owner)!;
    await redis.moveSlot(await redis.slotOf(shardChannel), target);
    expect(await redis.ownerOf(shardChannel)).toBe(target);
    await deliversAcrossNodes(setup, subscriber, channel);
    await waitFor(
      async () => (await redis.shardChannels(target, shardChannel)).length === 1,
      RECOVERY_MS,
      'the shard channel subscribed on its new master',
    );
  }, 180_000);
  it('follows a moved slot to a master where this node had no shard channel yet', async () => {
    const { redis } = setup;
    // Redis delivery alone (no scaling), sharded: its only shard channel is the one below, so
    // ioredis has no subscriber connection to the master the slot moves to.
    const prefix = uniquePrefix('cluster-moved-delivery');
    const server = await startBroadcastServer({
      apps: [TEST_APP],
      host: '127.0.0.1',
      port: 0,
      logger: false,
      localHub: false,
      redis: { cluster: redis.seeds, prefix, sharded: true },
    });
    const publisher = redis.client();
    try {
      const subscriber = await raw(setup, server);
      await subscriber.subscribe('alerts');
      const shardChannel = `${prefix}alerts`;
      const owner = await redis.ownerOf(shardChannel);
      await waitFor(
        async () => (await redis.shardChannels(owner, shardChannel)).length === 1,
        10_000,
      );
      const target = (await redis.masterPorts()).find((p) => p !== owner)!;
      await redis.moveSlot(await redis.slotOf(shardChannel), target);
      let sent = 0;
      await waitFor(
        async () => {
          await publisher.spublish(
            shardChannel,
            JSON.stringify({ event: 'alert', data: { n: ++sent }, socket: null }),
          );
          await sleep(250);
          return subscriber.all('alert').length > 0;
        },
        RECOVERY_MS,
        'the sharded delivery to follow the moved slot',
      );
      expect(await redis.shardChannels(target, shardChannel)).toEqual([shardChannel]);
    } finally {
      publisher.disconnect();
      await server.close();
    }
  }, 180_000);
});

describe('a master killed with a replica to promote', () => {
  const setup = useClusterNodes('cluster-failover', 1);

  it('delivers again through the promoted replica without restarting a node', async () => {
    const { redis, nodes } = setup;
    const { channel, owner } = await channelOnShard(setup, 'failover');
    const subscriber = await raw(setup, nodes[1]);
    await subscriber.subscribe(channel);
    await deliversAcrossNodes(setup, subscriber, channel);

    await redis.killNode(owner);
    await waitFor(
      async () => !(await redis.masterPorts()).includes(owner),
      RECOVERY_MS,
      'a replica to be promoted',
    );
    await redis.waitHealthy(RECOVERY_MS);
    await deliversAcrossNodes(setup, subscriber, channel);
    await waitFor(
      async () => {
        const health = await up(nodes[0]);
        const shards = health.scaling.shards.map((s) => Number(s.node.split(':')[1]));
        return (
          health.status === 'ok' &&
          !shards.includes(owner) &&
          JSON.stringify(shards) === JSON.stringify(await redis.masterPorts())
        );
      },
      RECOVERY_MS,
      'GET /up to list the promoted master',
    );
  }, 180_000);
});
