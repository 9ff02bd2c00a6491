import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connected,
  record,
  serverSdk,
  signedFetch,
  subscribed,
  uniquePrefix,
  waitFor,
} from '../support/broadcast-server-harness.js';
import { RawClient } from '../support/engine-harness.js';
import { LocalBroadcastHub } from '../../../lib/drivers/local-hub.js';
import { startBroadcastServer } from '../../../lib/server/hosting/start-broadcast-server.js';
import { APP, useCluster, sleep } from './support/cluster-harness.js';

/**
 * Three `nestjs-broadcasting serve` processes joined over one Redis, with pusher-js and raw
 * clients spread across them: every source reaches every subscriber exactly once.
 */
const cluster = useCluster('scaling-delivery', 3);
const { nodes, prefix, raw } = cluster;
let publisher: Redis;

/** Waits for settling, so a duplicate still in flight would have arrived. */
const SETTLE_MS = 300;

beforeAll(() => {
  publisher = cluster.redis.client();
});
afterAll(() => publisher?.disconnect());

const pusher = cluster.pusher;

/** Two pusher-js subscribers per node on `channel`; returns what each receives of `event`. */
async function spreadSubscribers(channel: string, event: string) {
  const received: unknown[][] = [];
  for (const node of nodes)
    for (let i = 0; i < 2; i++) {
      const client = pusher(node);
      await connected(client);
      received.push(record(await subscribed(client, channel), event));
    }
  return received;
}

describe('delivery across three nodes', () => {
  it('delivers an HTTP API publish made on any node to every subscriber exactly once', async () => {
    const received = await spreadSubscribers('news', 'headline');
    for (const [n, node] of nodes.entries())
      await serverSdk(node, APP).trigger('news', 'headline', { n });
    await waitFor(() => received.every((r) => r.length >= 3), 5000, 'three headlines each');
    await sleep(SETTLE_MS);
    for (const r of received)
      expect((r as Array<{ n: number }>).map((m) => m.n).sort()).toEqual([0, 1, 2]);
  });

  it('delivers a Laravel redis-driver broadcast once per subscriber, not once per node', async () => {
    const received = await spreadSubscribers('orders', 'App\\Events\\OrderShipped');
    // Every node has a subscriber, so every node SUBSCRIBEs to the Laravel channel.
    await waitFor(
      async () =>
        ((await publisher.pubsub('NUMSUB', `${prefix}orders`)) as [string, number])[1] === 3,
      5000,
      'three nodes subscribed to the Laravel channel',
    );
    await publisher.publish(
      `${prefix}orders`,
      JSON.stringify({ event: 'App\\Events\\OrderShipped', data: { id: 7 }, socket: null }),
    );
    await waitFor(() => received.every((r) => r.length >= 1), 5000, 'the Laravel broadcast');
    await sleep(SETTLE_MS);
    for (const r of received) expect(r).toEqual([{ id: 7 }]);
  });

  it("relays what the local driver publishes in an embedded node's process", async () => {
    // A node embedded in an app process (in-process here), joined with the three bin nodes.
    const hub = new LocalBroadcastHub();
    const embedded = await startBroadcastServer({
      apps: [APP],
      host: '127.0.0.1',
      port: 0,
      logger: false,
      localHub: hub,
      scaling: 'redis',
      redis: { url: cluster.redis.url, prefix },
    });
    try {
      const [here, there] = [await raw(embedded), await raw(nodes[1])];
      await here.subscribe('hub-news');
      await there.subscribe('hub-news');
      hub.publish({ channels: ['hub-news'], event: 'from-hub', data: { ok: true }, socket: null });
      await waitFor(() => here.all('from-hub').length && there.all('from-hub').length, 5000);
      await sleep(SETTLE_MS);
      expect(here.all('from-hub')).toHaveLength(1);
      expect(there.all('from-hub').map((f) => f.data)).toEqual(['{"ok":true}']);
    } finally {
      await embedded.close();
    }
  });

  it('excludes socket_id when the excluded socket is on another node', async () => {
    const [a, b, c] = [await raw(nodes[0]), await raw(nodes[1]), await raw(nodes[2])];
    for (const client of [a, b, c]) await client.subscribe('tickets');
    // HTTP API on node 2 excluding a socket on node 0.
    const body = JSON.stringify({
      name: 'update',
      channel: 'tickets',
      data: '{"v":1}',
      socket_id: a.socketId,
    });
    expect(
      (await signedFetch(nodes[2], 'POST', `/apps/${APP.id}/events`, { body, app: APP })).status,
    ).toBe(200);
    // Laravel's body on Redis excluding a socket on node 1.
    await waitFor(
      async () =>
        ((await publisher.pubsub('NUMSUB', `${prefix}tickets`)) as [string, number])[1] === 3,
      5000,
      'three nodes subscribed',
    );
    await publisher.publish(
      `${prefix}tickets`,
      JSON.stringify({ event: 'update', data: { v: 2 }, socket: b.socketId }),
    );
    await waitFor(() => c.all('update').length === 2, 5000, 'both updates on node 2');
    await waitFor(() => a.all('update').length === 1 && b.all('update').length === 1, 5000);
    await sleep(SETTLE_MS);
    expect(a.all('update').map((f) => f.data)).toEqual(['{"v":2}']);
    expect(b.all('update').map((f) => f.data)).toEqual(['{"v":1}']);
    expect(c.all('update')).toHaveLength(2);
  });

  it('confirms a subscription only once its node can hear the other nodes (20 fresh channels)', async () => {
    const subscriber = await raw(nodes[1]);
    for (let i = 0; i < 20; i++) {
      const channel = `fresh-${i}`;
      await subscriber.subscribe(channel);
      // Published on another node as soon as the subscriber saw subscription_succeeded.
      const body = JSON.stringify({ name: 'first', channel, data: `{"i":${i}}` });
      const res = await signedFetch(nodes[0], 'POST', `/apps/${APP.id}/events`, {
        body,
        app: APP,
      });
      expect(res.status).toBe(200);
      const frame = await waitFor(() => subscriber.all('first', channel)[0], 2000, channel);
      expect(frame.data).toBe(`{"i":${i}}`);
    }
  });

  it('relays client events to the other nodes once, never back to the sender', async () => {
    const [a, b, c] = [await raw(nodes[0]), await raw(nodes[1]), await raw(nodes[2])];
    for (const client of [a, b, c]) await client.subscribe('private-chat');
    a.send({ event: 'client-typing', channel: 'private-chat', data: { who: 'a' } });
    await waitFor(() => b.all('client-typing').length && c.all('client-typing').length, 5000);
    await sleep(SETTLE_MS);
    expect(b.all('client-typing')).toEqual([
      { event: 'client-typing', channel: 'private-chat', data: '{"who":"a"}' },
    ]);
    expect(c.all('client-typing')).toHaveLength(1);
    expect(a.all('client-typing')).toHaveLength(0);
  });

  it('applies the client-event rate limit per connection, as on one node', async () => {
    const [a, b] = [await raw(nodes[0]), await raw(nodes[1])];
    await a.subscribe('private-burst');
    await b.subscribe('private-burst');
    // 15 in one go: the default limit lets 10 through per second, the rest get 4301.
    for (let i = 0; i < 15; i++)
      a.send({ event: 'client-tick', channel: 'private-burst', data: { i } });
    await waitFor(() => b.all('client-tick').length === 10, 5000, 'ten ticks on node 1');
    await waitFor(() => a.all('pusher:error').length === 5, 5000, 'five refusals');
    await sleep(SETTLE_MS);
    expect(b.all('client-tick')).toHaveLength(10);
    expect(a.all('pusher:error').map((f) => (f.data as { code: number }).code)).toEqual(
      Array(5).fill(4301),
    );
  });

  it("serves a cache channel's last event to a subscriber on another node", async () => {
    await serverSdk(nodes[0], APP).trigger('cache-scores', 'score', { home: 2, away: 1 });
    const c = await raw(nodes[2]);
    await c.subscribe('cache-scores');
    const frame = await c.next('score', 'cache-scores');
    expect(frame.data).toBe('{"home":2,"away":1}');
    const miss = await raw(nodes[1]);
    await miss.subscribe('cache-empty');
    await miss.next('pusher:cache_miss', 'cache-empty');
  });

  it('reaches a user on every node through #server-to-user and terminate_connections', async () => {
    const user = { id: 'u-everywhere' };
    const onB = pusher(nodes[1], user);
    const onC = pusher(nodes[2], user);
    const other = pusher(nodes[2], { id: 'u-other' });
    const inbox: unknown[][] = [];
    for (const client of [onB, onC, other]) {
      await connected(client);
      const got: unknown[] = [];
      client.user.bind('notice', (data: unknown) => got.push(data));
      inbox.push(got);
      const signedIn = new Promise<void>((r) => client.bind('pusher:signin_success', () => r()));
      client.signin();
      await signedIn;
    }
    // pusher-js subscribes the user's #server-to-user channel after sign-in.
    await waitFor(
      () => onB.user.serverToUserChannel?.subscribed && onC.user.serverToUserChannel?.subscribed,
      5000,
      'the user channel subscribed on both nodes',
    );
    await serverSdk(nodes[0], APP).sendToUser('u-everywhere', 'notice', { text: 'hi' });
    await waitFor(() => inbox[0].length && inbox[1].length, 5000, 'the notice on both nodes');
    await sleep(SETTLE_MS);
    expect(inbox[0]).toEqual([{ text: 'hi' }]);
    expect(inbox[1]).toEqual([{ text: 'hi' }]);
    expect(inbox[2]).toEqual([]);

    await serverSdk(nodes[0], APP).terminateUserConnections('u-everywhere');
    await waitFor(
      () => onB.connection.state !== 'connected' && onC.connection.state !== 'connected',
      5000,
      'both sockets of the user closed',
    );
    await sleep(SETTLE_MS);
    expect(other.connection.state).toBe('connected');
  });

  it('SUBSCRIBEs a node to a channel only while it has local subscribers', async () => {
    const relay = `${prefix}nestjs-broadcasting:b:${APP.id}:interest`;
    const numsub = async () => ((await publisher.pubsub('NUMSUB', relay)) as [string, number])[1];
    expect(await numsub()).toBe(0);
    const [x, y] = [await raw(nodes[1]), await raw(nodes[1])];
    await x.subscribe('interest');
    await y.subscribe('interest');
    await waitFor(async () => (await numsub()) === 1, 3000, 'one SUBSCRIBE for node 1');
    x.send({ event: 'pusher:unsubscribe', data: { channel: 'interest' } });
    await x.flush();
    expect(await numsub()).toBe(1); // y is still there
    y.ws.close();
    await waitFor(async () => (await numsub()) === 0, 3000, 'UNSUBSCRIBE once vacated');
  });

  it('counts subscriptions across nodes in GET /channels and /channels/{name}', async () => {
    const subs = [
      await raw(nodes[0]),
      await raw(nodes[0]),
      await raw(nodes[1]),
      await raw(nodes[2]),
    ];
    for (const client of subs) await client.subscribe('counted');
    const list = await signedFetch(nodes[1], 'GET', `/apps/${APP.id}/channels`, {
      app: APP,
      params: { filter_by_prefix: 'count' },
    });
    expect(list.body).toEqual({ channels: { counted: {} } });
    const one = () =>
      signedFetch(nodes[2], 'GET', `/apps/${APP.id}/channels/counted`, {
        app: APP,
        params: { info: 'subscription_count' },
      });
    expect((await one()).body).toEqual({ occupied: true, subscription_count: 4 });
    subs[0].ws.close();
    await waitFor(async () => (await one()).body.subscription_count === 3, 5000, 'three left');
  });
});

describe('connection quota across nodes', () => {
  it("counts the app's connections on every node against maxConnections", async () => {
    // Two nodes of their own cluster (another namespace), started from code for maxConnections.
    const quotaPrefix = uniquePrefix('scaling-quota');
    const fixtureOptions = { apps: [{ ...APP, maxConnections: 3 }], scaling: 'redis' };
    const [q0, q1] = await Promise.all(
      [0, 1].map(() => cluster.startNode({ prefix: quotaPrefix, fixtureOptions })),
    );
    await raw(q0);
    await raw(q0);
    await raw(q1);
    const fourth = await RawClient.connect(`ws://127.0.0.1:${q1.port}/app/${APP.key}?protocol=7`, {
      established: false,
    });
    cluster.track(fourth);
    expect(await fourth.closed()).toBe(4004);
    expect(fourth.all('pusher:connection_established')).toHaveLength(0);
    // The main cluster (another namespace) is not counted: it has far more than 3 sockets.
    const again = await raw(nodes[0]);
    expect(again.socketId).toMatch(/^\d+\.\d+$/);
  }, 60_000); // starts two node processes of its own: slow when the cores are busy
});
