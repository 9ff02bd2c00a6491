import type { Cluster } from 'ioredis';
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
import { RedisBroadcaster } from '../../../lib/drivers/redis.broadcaster.js';
import { RedisClusterProcess } from '../../support/redis-cluster.js';

/**
 * Three server nodes on a three-master Redis Cluster the file builds: node-to-node traffic
 * over sharded pub/sub, spread over the shards, and Laravel's classic PUBLISH still heard.
 */
let redis: RedisClusterProcess;
let publisher: Cluster;
const prefix = uniquePrefix('redis-cluster');
/** Where the nodes' relay channels live: the scaling namespace under the prefix. */
const ns = `${prefix}nestjs-broadcasting:`;
const nodes: BroadcastServerHandle[] = [];
const clients: RawClient[] = [];
const logs: string[] = [];

/** Waits long enough for a duplicate still in flight to arrive. */
const SETTLE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startNode(redisOptions: Record<string, unknown> = {}) {
  return startBroadcastServer({
    apps: [TEST_APP],
    host: '127.0.0.1',
    port: 0,
    logger: recordingLogger(logs),
    localHub: false,
    scaling: 'redis',
    redis: { cluster: redis.seeds, prefix, ...redisOptions },
  });
}

async function raw(node: BroadcastServerHandle): Promise<RawClient> {
  const client = await RawClient.connect(`ws://127.0.0.1:${node.port}/app/${TEST_APP.key}`);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  redis = await RedisClusterProcess.start({ masters: 3 });
  publisher = redis.client();
  for (let i = 0; i < 3; i++) nodes.push(await startNode());
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.ws.terminate();
  for (const node of nodes) await node.close();
  publisher?.disconnect();
  await redis?.stop();
}, 60_000);

describe('scaling on a Redis Cluster', () => {
  it('delivers HTTP API publishes on 50 channels to subscribers on every node, once each', async () => {
    const channels = Array.from({ length: 50 }, (_, i) => `room-${i}`);
    const subscribers = await Promise.all(nodes.map((node) => raw(node)));
    for (const client of subscribers)
      for (const channel of channels) await client.subscribe(channel);
    for (const [i, channel] of channels.entries())
      await serverSdk(nodes[i % 3], TEST_APP).trigger(channel, 'said', { i });
    await waitFor(
      () => subscribers.every((client) => client.all('said').length >= 50),
      20_000,
      '50 events on every node',
    );
    await sleep(SETTLE_MS);
    for (const client of subscribers) {
      const got = client.all('said').map((frame) => `${frame.channel}:${frame.data}`);
      expect(got.sort()).toEqual(channels.map((c, i) => `${c}:{"i":${i}}`).sort());
    }
  }, 60_000);

  it('spreads the shard channels over more than one master, one per occupied channel', async () => {
    const masters = await redis.masterPorts();
    const perMaster = await Promise.all(
      masters.map((port) => redis.shardChannels(port, `${ns}b:*`)),
    );
    const all = perMaster.flat();
    // room-0..49 from the test before: each node SSUBSCRIBEs each once; the set is per shard.
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((c) => c.includes('room-')).length).toBe(50);
    expect(perMaster.filter((channels) => channels.length > 0).length).toBeGreaterThan(1);
    for (const channel of all) expect(channel.startsWith(`${ns}b:{${TEST_APP.id}:`)).toBe(true);
  });

  it('stops listening on a shard channel once its last local subscriber leaves', async () => {
    const client = await raw(nodes[0]);
    await client.subscribe('short-lived');
    const channel = `${ns}b:{${TEST_APP.id}:short-lived}`;
    const owner = await redis.ownerOf(channel);
    await waitFor(async () => (await redis.shardChannels(owner, channel)).length === 1, 10_000);
    client.close();
    await waitFor(
      async () => (await redis.shardChannels(owner, channel)).length === 0,
      10_000,
      'the shard channel to be vacated',
    );
  });

  it("hears Laravel's classic PUBLISH through an ioredis Cluster, once per subscriber", async () => {
    const subscribers = await Promise.all(nodes.map((node) => raw(node)));
    for (const client of subscribers) await client.subscribe('orders');
    // Every node SUBSCRIBEs the Laravel channel (classic pub/sub is cluster-wide).
    await waitFor(
      async () => (await redis.classicSubscribers(`${prefix}orders`)) === 3,
      10_000,
      'three SUBSCRIBEs on the Laravel channel',
    );
    await publisher.publish(
      `${prefix}orders`,
      JSON.stringify({ event: 'App\\Events\\OrderShipped', data: { id: 7 }, socket: null }),
    );
    await waitFor(
      () => subscribers.every((client) => client.all('App\\Events\\OrderShipped').length >= 1),
      10_000,
      'the Laravel broadcast on every node',
    );
    await sleep(SETTLE_MS);
    for (const client of subscribers)
      expect(client.all('App\\Events\\OrderShipped').map((f) => f.data)).toEqual(['{"id":7}']);
  });

  it('delivers the redis driver on the cluster: classic PUBLISH by default, SPUBLISH when sharded', async () => {
    const sharded = await startNode({ sharded: true });
    nodes.push(sharded);
    const [classicClient, shardedClient] = [await raw(nodes[0]), await raw(sharded)];
    await classicClient.subscribe('invoices');
    await shardedClient.subscribe('invoices');
    const classic = new RedisBroadcaster({
      connection: 'redis',
      url: '',
      cluster: redis.seeds,
      prefix,
    });
    const spublisher = new RedisBroadcaster({
      connection: 'redis',
      url: '',
      cluster: redis.seeds,
      prefix,
      sharded: true,
    });
    try {
      await classic.broadcast(['invoices'], 'classic', { n: 1 });
      await spublisher.broadcast(['invoices'], 'sharded', { n: 2 });
      await waitFor(() => classicClient.all('classic').length === 1, 10_000, 'classic on node 0');
      await waitFor(() => shardedClient.all('sharded').length === 1, 10_000, 'sharded on its node');
      // The sharded node listens with SSUBSCRIBE only; the classic ones with SUBSCRIBE only.
      await sleep(SETTLE_MS);
      expect(shardedClient.all('classic')).toEqual([]);
      expect(classicClient.all('sharded')).toEqual([]);
      const owner = await redis.ownerOf(`${prefix}invoices`);
      expect(await redis.shardChannels(owner, `${prefix}invoices`)).toEqual([`${prefix}invoices`]);
    } finally {
      await classic.close();
      await spublisher.close();
    }
  });

  it('reports every shard in GET /up', async () => {
    const res = await fetch(`http://127.0.0.1:${nodes[0].port}/up`);
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.scaling.redis).toBe('connected');
    const shards = body.scaling.shards as Array<{ node: string; slots: number; state: string }>;
    expect(shards.map((s) => Number(s.node.split(':')[1]))).toEqual(await redis.masterPorts());
    expect(shards.every((s) => s.state === 'up')).toBe(true);
    expect(shards.reduce((sum, s) => sum + s.slots, 0)).toBe(16384);
  });
});
