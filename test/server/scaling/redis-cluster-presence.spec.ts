import { writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  connected,
  record,
  signedFetch,
  subscribed,
  uniquePrefix,
  waitFor,
} from '../support/broadcast-server-harness.js';
import type { PusherClient } from '../support/engine-harness.js';
import { RedisClusterProcess } from '../../support/redis-cluster.js';
import { RedisScalingKeys } from '../../../lib/server/cluster/redis/redis-scaling-keys.js';
import { WebhookReceiver } from '../webhooks/support/webhook-receiver.js';
import {
  APP,
  buildPackage,
  health,
  removePackage,
  sleep,
  startNode,
  stopNodes,
  type ClusterNode,
} from './support/cluster-harness.js';

/**
 * Presence over three `nestjs-broadcasting serve` processes configured only by
 * BROADCASTING_REDIS_CLUSTER (two of them) or `serve --redis-cluster` (the third); their
 * BROADCASTING_REDIS_URL points nowhere: the cluster wins. And a node killed with SIGKILL:
 * the rosters' Lua scripts run on a Redis Cluster, per bucket of channels, spread over the
 * masters. Every node sends every webhook to one receiver, to count what the cluster told.
 */
let pkg = '';
let redis: RedisClusterProcess;
let receiver: WebhookReceiver;
const nodes: ClusterNode[] = [];
const clients: PusherClient[] = [];
const prefix = uniquePrefix('cluster-presence');
/** The config file every node reads: the app, with a webhook for every event. */
let config = '';
/** A design figure of 6 s (TTL + one beat); on a shared two-core machine, wait up to 5 times it. */
const CLEANUP_DEADLINE_MS = 30_000;
const SETTLE_MS = 300;

beforeAll(async () => {
  pkg = buildPackage();
  receiver = await WebhookReceiver.start();
  config = joinPath(pkg, 'broadcasting.json');
  writeFileSync(
    config,
    JSON.stringify({ server: { apps: [{ ...APP, webhooks: [{ url: receiver.url('/all') }] }] } }),
  );
  redis = await RedisClusterProcess.start({ masters: 3 });
  for (let i = 0; i < 3; i++)
    nodes.push(
      await startNode(pkg, {
        // Nothing listens there: the nodes boot only because the cluster wins over the URL.
        redisUrl: 'redis://127.0.0.1:1',
        prefix,
        ...(i < 2
          ? {
              env: {
                BROADCASTING_REDIS_CLUSTER: redis.seeds.join(','),
                BROADCASTING_CONFIG: config,
              },
            }
          : {
              env: { BROADCASTING_CONFIG: config },
              flags: ['--redis-cluster', redis.seeds.join(',')],
            }),
      }),
    );
}, 180_000);

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await stopNodes();
  await redis?.stop();
  await receiver?.close();
  removePackage(pkg);
}, 60_000);

async function join(node: ClusterNode, id: string, channel: string) {
  const client = clientFor(node, { app: APP, user: { id, info: { name: id.toUpperCase() } } });
  clients.push(client);
  await connected(client);
  const presence = (await subscribed(client, channel)) as any;
  return {
    client,
    presence,
    added: record(presence, 'pusher:member_added') as Array<{ id: string }>,
    removed: record(presence, 'pusher:member_removed') as Array<{ id: string }>,
  };
}

const ids = (list: Array<{ id: string }>) => list.map((m) => m.id).sort();

describe('presence buckets on a Redis Cluster', () => {
  const keys = new RedisScalingKeys(`${prefix}nestjs-broadcasting:`, true);
  const channels = (name: string) => Array.from({ length: 30 }, (_, i) => `presence-${name}-${i}`);

  /** A user on one node subscribed to every channel, recording member_removed per channel. */
  async function joinAll(node: ClusterNode, id: string, names: string[]) {
    const client = clientFor(node, { app: APP, user: { id, info: {} } });
    clients.push(client);
    await connected(client);
    const joined = await Promise.all(names.map((name) => subscribed(client, name)));
    return new Map(
      names.map((name, i) => [
        name,
        record(joined[i] as any, 'pusher:member_removed') as Array<{ id: string }>,
      ]),
    );
  }

  /** The masters the channels' buckets live on. */
  async function mastersOf(names: string[]): Promise<Set<number>> {
    const buckets = new Set(names.map((name) => keys.bucketOf(APP.id, name)));
    return new Set(await Promise.all([...buckets].map((bucket) => redis.ownerOf(bucket.nodes))));
  }

  const webhooks = (name: string, channel: string, userId?: string) =>
    receiver
      .delivered('/all')
      .filter((e) => e.name === name && e.channel === channel && e.user_id === userId);

  it('puts the rosters of 30 channels on more than one master', async () => {
    const names = channels('spread');
    for (const [i, node] of nodes.entries()) await joinAll(node, `s${i}`, names);
    const rostersPerMaster = await Promise.all(
      (await redis.masterPorts()).map(async (port) => {
        const master = new Redis(port, '127.0.0.1');
        try {
          return (await master.keys(`*}p:${APP.id}:presence-spread-*:m`)).filter((key) =>
            key.startsWith(`{${prefix}nestjs-broadcasting:b`),
          );
        } finally {
          master.disconnect();
        }
      }),
    );
    expect(rostersPerMaster.flat()).toHaveLength(30);
    expect(rostersPerMaster.filter((rosters) => rosters.length > 0).length).toBeGreaterThan(1);
    // Each roster lives where its bucket's registry does: the scripts stay in one slot.
    for (const name of names)
      expect(await redis.ownerOf(`${keys.presence(APP.id, name)}:m`)).toBe(
        await redis.ownerOf(keys.bucketOf(APP.id, name).nodes),
      );
    const path = `/apps/${APP.id}/channels/${names[7]}/users`;
    const { body } = await signedFetch(nodes[1], 'GET', path, { app: APP });
    expect(ids((body as { users: Array<{ id: string }> }).users)).toEqual(['s0', 's1', 's2']);
  }, 60_000);

  it("announces a killed node's users in every bucket once, and its channels vacated once", async () => {
    const names = channels('ghost');
    const alone = Array.from({ length: 30 }, (_, i) => `ghost-alone-${i}`);
    expect((await mastersOf(names)).size).toBeGreaterThan(1);
    expect((await mastersOf(alone)).size).toBeGreaterThan(1);
    const observers = [await joinAll(nodes[0], 'o0', names), await joinAll(nodes[1], 'o1', names)];
    const victim = await startNode(pkg, {
      redisUrl: 'redis://127.0.0.1:1',
      prefix,
      env: { BROADCASTING_REDIS_CLUSTER: redis.seeds.join(','), BROADCASTING_CONFIG: config },
    });
    await joinAll(victim, 'ghost', names);
    const ghost = clientFor(victim, { app: APP });
    clients.push(ghost);
    await connected(ghost);
    await Promise.all(alone.map((name) => subscribed(ghost, name)));
    await waitFor(
      () => alone.every((name) => webhooks('channel_occupied', name).length > 0),
      CLEANUP_DEADLINE_MS,
      'the lone channels occupied',
    );

    await victim.kill('SIGKILL');
    await waitFor(
      () =>
        observers.every((removed) => [...removed.values()].every((list) => list.length > 0)) &&
        alone.every((name) => webhooks('channel_vacated', name).length > 0) &&
        names.every((name) => webhooks('member_removed', name, 'ghost').length > 0),
      CLEANUP_DEADLINE_MS,
      'the sweep in every bucket',
    );
    await sleep(2_000);
    for (const removed of observers)
      for (const name of names) expect(ids(removed.get(name)!), name).toEqual(['ghost']);
    for (const name of names) {
      expect(webhooks('member_removed', name, 'ghost'), name).toHaveLength(1);
      expect(webhooks('channel_vacated', name), name).toHaveLength(0);
    }
    for (const name of alone) expect(webhooks('channel_vacated', name), name).toHaveLength(1);
  }, 90_000);
});

describe('presence on a Redis Cluster', () => {
  it('boots from BROADCASTING_REDIS_CLUSTER or --redis-cluster and reports each shard in GET /up', async () => {
    for (const node of [nodes[0], nodes[2]]) {
      const { status, body } = await health(node);
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
      expect(body.scaling.shards).toHaveLength(3);
      expect(node.err.join('') + node.out.join('')).toContain(
        `joined the cluster "${prefix}nestjs-broadcasting:" at Redis Cluster ${redis.seeds.join(',')}`,
      );
    }
  });

  it('lists the members of every node and announces each user once', async () => {
    const room = 'presence-lobby';
    const observer = await join(nodes[0], 'obs', room);
    await join(nodes[1], 'ann', room);
    await join(nodes[2], 'ann', room); // a second tab of the same user, on another node
    await join(nodes[2], 'bob', room);
    await waitFor(() => observer.added.length >= 2, 10_000, 'ann and bob added');
    await sleep(SETTLE_MS);
    expect(ids(observer.added)).toEqual(['ann', 'bob']);
    const late = await join(nodes[1], 'cat', room);
    expect(Object.keys(late.presence.members.members).sort()).toEqual(['ann', 'bob', 'cat', 'obs']);
    const { body } = await signedFetch(nodes[2], 'GET', `/apps/${APP.id}/channels/${room}/users`, {
      app: APP,
    });
    expect((body as { users: Array<{ id: string }> }).users.map((u) => u.id).sort()).toEqual([
      'ann',
      'bob',
      'cat',
      'obs',
    ]);
  });

  it('sweeps a killed node: the survivors hear member_removed for its users only', async () => {
    const room = 'presence-sweep';
    const observer = await join(nodes[0], 'watcher', room);
    await join(nodes[1], 'stays', room);
    await join(nodes[2], 'stays', room); // also on node 1: must stay
    await join(nodes[2], 'goes', room);
    await waitFor(() => observer.added.length >= 2, 10_000, 'members added');
    await nodes[2].kill('SIGKILL');
    await waitFor(
      () => observer.removed.length >= 1,
      CLEANUP_DEADLINE_MS,
      'member_removed after the sweep',
    );
    await sleep(SETTLE_MS);
    expect(ids(observer.removed)).toEqual(['goes']);
    const logs = nodes
      .slice(0, 2)
      .map((node) => node.err.join('') + node.out.join(''))
      .join('');
    expect(logs).toMatch(/stopped heartbeating; removed \d+ presence members?/);
  }, 60_000);
});
