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
 * the rosters' Lua scripts run on a Redis Cluster.
 */
let pkg = '';
let redis: RedisClusterProcess;
const nodes: ClusterNode[] = [];
const clients: PusherClient[] = [];
const prefix = uniquePrefix('cluster-presence');
/** A design figure of 6 s (TTL + one beat); on a shared two-core machine, wait up to 5 times it. */
const CLEANUP_DEADLINE_MS = 30_000;
const SETTLE_MS = 300;

beforeAll(async () => {
  pkg = buildPackage();
  redis = await RedisClusterProcess.start({ masters: 3 });
  for (let i = 0; i < 3; i++)
    nodes.push(
      await startNode(pkg, {
        // Nothing listens there: the nodes boot only because the cluster wins over the URL.
        redisUrl: 'redis://127.0.0.1:1',
        prefix,
        ...(i < 2
          ? { env: { BROADCASTING_REDIS_CLUSTER: redis.seeds.join(',') } }
          : { flags: ['--redis-cluster', redis.seeds.join(',')] }),
      }),
    );
}, 180_000);

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await stopNodes();
  await redis?.stop();
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
