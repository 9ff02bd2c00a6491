import { describe, expect, it } from 'vitest';
import {
  connected,
  record,
  signedFetch,
  subscribed,
  waitFor,
} from '../support/broadcast-server-harness.js';
import { RawClient, type PusherClient } from '../support/engine-harness.js';
import { APP, useCluster, sleep, type ClusterNode } from './support/cluster-harness.js';

/** Presence over three `serve` processes on one Redis, and a node killed with SIGKILL. */
const cluster = useCluster('scaling-presence', 3);
const { nodes } = cluster;
const SETTLE_MS = 300;
/** The bound docs/scaling.md states: heartbeat TTL (5 s) + heartbeat interval (1 s). */
const CLEANUP_BOUND_MS = 6_000;

function pusher(node: ClusterNode, id: string): PusherClient {
  return cluster.pusher(node, { id, info: { name: id.toUpperCase() } });
}

async function join(node: ClusterNode, id: string, channel: string) {
  const client = pusher(node, id);
  await connected(client);
  const presence = (await subscribed(client, channel)) as any;
  return {
    client,
    presence,
    added: record(presence, 'pusher:member_added') as Array<{ id: string; info: unknown }>,
    removed: record(presence, 'pusher:member_removed') as Array<{ id: string }>,
  };
}

function users(node: ClusterNode, channel: string) {
  return signedFetch(node, 'GET', `/apps/${APP.id}/channels/${channel}/users`, { app: APP });
}

function info(node: ClusterNode, channel: string) {
  return signedFetch(node, 'GET', `/apps/${APP.id}/channels/${channel}`, {
    app: APP,
    params: { info: 'user_count,subscription_count' },
  });
}

const ids = (list: Array<{ id: string }>) => list.map((m) => m.id).sort();

describe('presence across nodes', () => {
  it('lists members of every node and announces each user once, leaving on the last socket', async () => {
    const room = 'presence-room';
    const observer = await join(nodes[0], 'obs', room);
    const alice1 = await join(nodes[1], 'alice', room);
    const alice2 = await join(nodes[2], 'alice', room);
    const bob = await join(nodes[2], 'bob', room);
    await waitFor(() => observer.added.length >= 2, 5000, 'alice and bob announced');

    const carol = await join(nodes[0], 'carol', room);
    const roster: string[] = [];
    carol.presence.members.each((m: { id: string }) => roster.push(m.id));
    expect(roster.sort()).toEqual(['alice', 'bob', 'carol', 'obs']);
    expect(carol.presence.members.get('alice').info).toEqual({ name: 'ALICE' });

    expect(ids((await users(nodes[1], room)).body.users)).toEqual(['alice', 'bob', 'carol', 'obs']);
    expect((await info(nodes[2], room)).body).toEqual({
      occupied: true,
      user_count: 4,
      subscription_count: 5,
    });

    // alice's socket on node 1 goes; her socket on node 2 keeps her in the channel.
    alice1.client.disconnect();
    await waitFor(async () => (await info(nodes[0], room)).body.subscription_count === 4, 5000);
    await sleep(SETTLE_MS);
    expect(observer.removed).toEqual([]);
    expect(ids((await users(nodes[0], room)).body.users)).toContain('alice');

    alice2.client.disconnect();
    await waitFor(() => observer.removed.length === 1, 5000, 'alice removed');
    await waitFor(() => bob.removed.length === 1 && carol.removed.length === 1, 5000);
    await sleep(SETTLE_MS);
    // Once per user, on every node.
    expect(ids(observer.added)).toEqual(['alice', 'bob', 'carol']);
    expect(ids(observer.removed)).toEqual(['alice']);
    expect(ids(bob.removed)).toEqual(['alice']);
    expect((await info(nodes[1], room)).body.user_count).toBe(3);
  });

  it("removes a killed node's members within the stated bound and says member_removed once", async () => {
    const room = 'presence-crash';
    const victim = await cluster.startNode();
    const observer = await join(nodes[0], 'watcher', room);
    const other = await join(nodes[1], 'watcher2', room);
    await join(victim, 'dave', room);
    const plain = await RawClient.connect(
      `ws://127.0.0.1:${victim.port}/app/${APP.key}?protocol=7`,
    );
    await plain.subscribe('crash-news');
    await waitFor(() => observer.added.some((m) => m.id === 'dave'), 5000, 'dave announced');
    expect((await info(nodes[1], room)).body.user_count).toBe(3);

    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    // Subscription counts come from live nodes: the dead one's sockets drop out at once.
    const count = await signedFetch(nodes[0], 'GET', `/apps/${APP.id}/channels/crash-news`, {
      app: APP,
      params: { info: 'subscription_count' },
    });
    expect(count.body).toEqual({ occupied: false, subscription_count: 0 });

    await waitFor(() => observer.removed.length > 0, CLEANUP_BOUND_MS + 3000, 'dave removed');
    const cleanupMs = Date.now() - killedAt;
    console.log(`[scaling] presence cleanup after kill -9: ${cleanupMs} ms`);
    // One second of slack for timers on a busy machine (two cores shared by every test).
    expect(cleanupMs).toBeLessThanOrEqual(CLEANUP_BOUND_MS + 1000);
    await waitFor(() => other.removed.length > 0, 2000);
    await sleep(SETTLE_MS);
    expect(observer.removed.map((m) => m.id)).toEqual(['dave']);
    expect(other.removed).toHaveLength(1);
    expect(ids((await users(nodes[2], room)).body.users)).toEqual(['watcher', 'watcher2']);
    expect((await info(nodes[2], room)).body.user_count).toBe(2);
    // Exactly one survivor swept the dead node, and said so once.
    const sweeps = nodes.map(
      (node) =>
        node.err.join('').match(/stopped heartbeating; removed 1 presence member/g)?.length ?? 0,
    );
    expect(sweeps.reduce((a, b) => a + b)).toBe(1);
  });
  it('announces member_removed at once when a node stops cleanly (SIGTERM)', async () => {
    const room = 'presence-stop';
    const leaving = await cluster.startNode();
    const observer = await join(nodes[0], 'stayer', room);
    await join(leaving, 'erin', room);
    await waitFor(() => observer.added.some((m) => m.id === 'erin'), 5000, 'erin announced');
    const stoppedAt = Date.now();
    await leaving.kill('SIGTERM');
    await waitFor(() => observer.removed.length > 0, 3000, 'erin removed');
    // Well under the crash bound: the node deregistered itself on the way out.
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    await sleep(SETTLE_MS);
    expect(observer.removed.map((m) => m.id)).toEqual(['erin']);
    expect(ids((await users(nodes[1], room)).body.users)).toEqual(['stayer']);
  });
});
