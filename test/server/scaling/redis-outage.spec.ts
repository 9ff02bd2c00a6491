import { describe, expect, it } from 'vitest';
import {
  connected,
  record,
  serverSdk,
  signedFetch,
  subscribed,
  waitFor,
} from '../support/broadcast-server-harness.js';
import { APP, useCluster, health, sleep, type ClusterNode } from './support/cluster-harness.js';

/**
 * Two `serve` nodes on a Redis the test kills (SIGKILL) and starts again, empty, on the same
 * port: the nodes keep serving their own sockets, say so on GET /up, log once per change, and
 * come back by themselves (subscriptions and presence memberships restored).
 */
const cluster = useCluster('scaling-outage', 2);
const { nodes, prefix, raw } = cluster;

async function member(node: ClusterNode, id: string, channel: string) {
  const client = cluster.pusher(node, { id });
  await connected(client);
  const presence = (await subscribed(client, channel)) as any;
  return {
    presence,
    added: record(presence, 'pusher:member_added') as Array<{ id: string }>,
  };
}

const lines = (node: ClusterNode, pattern: RegExp) =>
  node.err
    .join('')
    .split('\n')
    .filter((line) => pattern.test(line)).length;

async function users(node: ClusterNode, channel: string): Promise<string[]> {
  const res = await signedFetch(node, 'GET', `/apps/${APP.id}/channels/${channel}/users`, {
    app: APP,
  });
  return (res.body.users as Array<{ id: string }>).map((u) => u.id).sort();
}

describe('Redis outage and recovery', () => {
  it('serves local subscribers while Redis is down, reports degraded, and recovers by itself', async () => {
    const room = 'presence-outage';
    const r0 = await raw(nodes[0]);
    const r1 = await raw(nodes[1]);
    await r0.subscribe('live');
    await r1.subscribe('live');
    const p0 = await member(nodes[0], 'p0', room);
    await member(nodes[1], 'p1', room);
    await serverSdk(nodes[0], APP).trigger('live', 'tick', { n: 0 });
    await waitFor(() => r1.all('tick').length === 1, 5000, 'cross-node delivery before the outage');
    expect((await health(nodes[0])).body).toMatchObject({
      status: 'ok',
      scaling: { redis: 'connected' },
    });

    await cluster.redis.stop();
    for (const node of nodes)
      await waitFor(async () => (await health(node)).body.status === 'degraded', 5000, 'degraded');
    const up = await health(nodes[0]);
    expect(up.status).toBe(200); // a load balancer keeps routing: local sockets are still served
    expect(up.body.scaling.redis).toBe('disconnected');

    // Local delivery goes on; nothing queues for the other node.
    for (let n = 1; n <= 20; n++) await serverSdk(nodes[0], APP).trigger('live', 'tick', { n });
    await waitFor(() => r0.all('tick').length === 21, 5000, 'local ticks during the outage');
    expect(r1.all('tick')).toHaveLength(1);
    expect((await health(nodes[0])).body.scaling.droppedPublishes).toBeGreaterThanOrEqual(20);
    // Presence still answers, from this node's own members.
    const late = await member(nodes[1], 'p2', room);
    const roster: string[] = [];
    late.presence.members.each((m: { id: string }) => roster.push(m.id));
    expect(roster.sort()).toEqual(['p1', 'p2']);

    await cluster.redis.start(); // same port, empty: no state survived
    for (const node of nodes)
      await waitFor(async () => (await health(node)).body.status === 'ok', 10_000, 'back to ok');
    // Each node subscribed its channels again by itself.
    const probe = cluster.redis.client();
    await waitFor(
      async () =>
        (
          (await probe.pubsub('NUMSUB', `${prefix}nestjs-broadcasting:b:${APP.id}:live`)) as [
            string,
            number,
          ]
        )[1] === 2,
      5000,
      'both nodes subscribed again',
    );
    probe.disconnect();
    await serverSdk(nodes[0], APP).trigger('live', 'tick', { n: 99 });
    await waitFor(() => r1.all('tick').length === 2, 5000, 'cross-node delivery after recovery');
    await sleep(300);
    expect(r1.all('tick').map((f) => f.data)).toEqual(['{"n":0}', '{"n":99}']);

    // Presence memberships were written back, and node 0 heard of the member who joined meanwhile.
    await waitFor(
      async () => (await users(nodes[0], room)).join() === 'p0,p1,p2',
      5000,
      'the roster rebuilt',
    );
    await waitFor(() => p0.added.some((m) => m.id === 'p2'), 5000, 'member_added for p2');

    // One log line per state change, not one per message or retry; no crash.
    for (const node of nodes) {
      expect(lines(node, /Scaling: lost Redis/)).toBe(1);
      expect(lines(node, /Scaling: Redis at .* is back/)).toBe(1);
      expect(node.child.exitCode).toBeNull();
    }
    expect(nodes[0].err.join('')).toMatch(/cluster publishes were dropped meanwhile/);
  });
});
