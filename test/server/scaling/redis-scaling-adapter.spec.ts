import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type {
  AdapterHost,
  AdapterPublish,
} from '../../../lib/server/cluster/server-adapter.interface.js';
import { RedisScalingAdapter } from '../../../lib/server/cluster/redis/redis-scaling.adapter.js';
import { BroadcastDriverError } from '../../../lib/errors/broadcast.exception.js';
import { silentLogger } from '../../../lib/shared/logger.js';
import type { WebhookEvent } from '../../../lib/webhooks/webhook-event.js';
import { uniquePrefix, waitFor } from '../support/broadcast-server-harness.js';
import { freePort, RedisProcess } from './support/cluster-harness.js';

/**
 * The adapter in-process against the shared Redis (127.0.0.1:6379, a namespace of its own):
 * the Lua scripts' atomicity under concurrent nodes, and the boot error. The multi-process
 * behaviour is in the other files of this folder.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const adapters: RedisScalingAdapter[] = [];
const admin = new Redis(REDIS_URL);

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
});
afterAll(() => admin.disconnect());

function fakeHost(delivered: AdapterPublish[], notified: WebhookEvent[]): AdapterHost {
  return {
    deliver: (message) => delivered.push(message),
    localChannels: () => new Map(),
    localConnectionCount: () => 0,
    terminateLocalUser: () => {},
    notify: (_appId, event) => notified.push(event),
  };
}

async function node(
  namespace: string,
  delivered: AdapterPublish[] = [],
  notified: WebhookEvent[] = [],
) {
  const adapter = await RedisScalingAdapter.start({
    url: REDIS_URL,
    namespace,
    logger: silentLogger,
  });
  adapter.attach(fakeHost(delivered, notified));
  adapters.push(adapter);
  return adapter;
}

describe('RedisScalingAdapter presence scripts', () => {
  it('reports firstForUser and lastForUser exactly once under concurrent joins and leaves on two nodes', async () => {
    const ns = uniquePrefix('scaling-atomic');
    const [a, b] = [await node(ns), await node(ns)];
    const sockets = Array.from({ length: 40 }, (_, i) => `${i + 1}.1`);
    const member = { id: 'same-user', info: { n: 1 } };
    const joins = await Promise.all(
      sockets.map((s, i) => (i % 2 ? a : b).joinPresence('app', 'presence-x', s, member)),
    );
    expect(joins.filter((j) => j.firstForUser)).toHaveLength(1);
    expect([...(await b.presenceMembers('app', 'presence-x'))]).toEqual([['same-user', { n: 1 }]]);
    // Joining the same socket twice changes nothing.
    expect(await a.joinPresence('app', 'presence-x', sockets[1], member)).toEqual({
      firstForUser: false,
    });
    const leaves = await Promise.all(
      sockets.map((s, i) => (i % 2 ? a : b).leavePresence('app', 'presence-x', s, 'same-user')),
    );
    expect(leaves.filter((l) => l.lastForUser)).toHaveLength(1);
    expect((await a.presenceMembers('app', 'presence-x')).size).toBe(0);
    // A socket that never joined is not a leave.
    expect(await a.leavePresence('app', 'presence-x', '9.9', 'same-user')).toEqual({
      lastForUser: false,
    });
  });

  it('keeps nodes with different namespaces apart', async () => {
    const [seenByB, seenByAPeer]: AdapterPublish[][] = [[], []];
    const [nsA, nsB] = [uniquePrefix('scaling-ns-a'), uniquePrefix('scaling-ns-b')];
    const a = await node(nsA);
    const aPeer = await node(nsA, seenByAPeer);
    const b = await node(nsB, seenByB);
    const bPeer = await node(nsB);
    await a.joinPresence('app', 'presence-y', '1.1', { id: 'u', info: null });
    expect((await b.presenceMembers('app', 'presence-y')).size).toBe(0);
    // Each resolves with its SUBSCRIBE reply.
    await Promise.all([b, aPeer].map((n) => n.channelOccupied('app', 'shared')));
    a.publish({ appId: 'app', channels: ['shared'], event: 'other-namespace', data: '{}' });
    // Once a's peer has it, Redis has handed a's PUBLISH to every subscriber; b's own
    // namespace's publish after that is the sentinel that would arrive behind it.
    await waitFor(() => seenByAPeer.length === 1, 5000, "a's message at its peer");
    bPeer.publish({ appId: 'app', channels: ['shared'], event: 'same-namespace', data: '{}' });
    await waitFor(() => seenByB.length > 0, 5000, 'the same-namespace sentinel');
    expect(seenByB.map((m) => m.event)).toEqual(['same-namespace']);
  });

  it('delivers a thisNodeOnly message on this node only', async () => {
    const ns = uniquePrefix('scaling-local-only');
    const [onA, onB]: AdapterPublish[][] = [[], []];
    const a = await node(ns, onA);
    const b = await node(ns, onB);
    await b.channelOccupied('app', 'c'); // resolves with the SUBSCRIBE reply
    a.publish({ appId: 'app', channels: ['c'], event: 'local', data: '1', thisNodeOnly: true });
    a.publish({ appId: 'app', channels: ['c'], event: 'relayed', data: '2' });
    // Whatever a sent through Redis reaches b in order: 'relayed' is the sentinel for 'local'.
    await waitFor(() => onB.length === 1, 5000, 'the relayed message');
    expect(onA.map((m) => m.event)).toEqual(['local', 'relayed']);
    expect(onB.map((m) => m.event)).toEqual(['relayed']);
  });
});

describe('RedisScalingAdapter channel occupancy', () => {
  it('reports channel_occupied and channel_vacated once per channel under concurrent nodes', async () => {
    const ns = uniquePrefix('scaling-occupancy');
    const [toldA, toldB]: WebhookEvent[][] = [[], []];
    const [a, b] = [await node(ns, [], toldA), await node(ns, [], toldB)];
    const channels = Array.from({ length: 30 }, (_, i) => `room-${i}`);
    const told = () => [...toldA, ...toldB];
    await Promise.all(channels.flatMap((c) => [a, b].map((n) => n.channelOccupied('app', c))));
    await waitFor(() => told().length === 30, 5000, '30 occupied');
    channels.forEach((c) => a.channelVacated('app', c));
    channels.forEach((c) => b.channelVacated('app', c));
    await waitFor(() => told().length === 60, 5000, '30 vacated');
    await new Promise((r) => setTimeout(r, 300));
    for (const name of ['channel_occupied', 'channel_vacated'])
      expect(
        told()
          .filter((e) => e.name === name)
          .map((e) => e.channel)
          .sort(),
      ).toEqual([...channels].sort());
    // Both nodes did their share of the reporting, but no channel was told twice.
    expect(told()).toHaveLength(60);
  });
});

describe('RedisScalingAdapter heartbeat', () => {
  it('lets a survivor sweep a silent node, and the node write itself back when it is heard again', async () => {
    const ns = uniquePrefix('scaling-sweep');
    const [onA, onB]: AdapterPublish[][] = [[], []];
    const a = await node(ns, onA);
    const b = await node(ns, onB);
    b.channelOccupied('app', 'presence-z');
    await a.joinPresence('app', 'presence-z', '1.1', { id: 'zed', info: { z: 1 } });
    // As if A had been silent for longer than the TTL: no heartbeat, its key gone.
    const heartbeat = (a as unknown as { heartbeat: { stop(): Promise<void>; start(): void } })
      .heartbeat;
    await heartbeat.stop();
    await admin.del(`${ns}node:${a.nodeId}`);
    await waitFor(
      () => onB.some((m) => m.event === 'pusher_internal:member_removed'),
      4000,
      'B sweeps A and announces zed gone',
    );
    expect(onB.find((m) => m.event === 'pusher_internal:member_removed')?.data).toBe(
      '{"user_id":"zed"}',
    );
    // A's next heartbeat finds its key gone, writes its memberships back and says so.
    heartbeat.start();
    await waitFor(
      () => onB.some((m) => m.event === 'pusher_internal:member_added'),
      4000,
      'A resyncs and announces zed again',
    );
    expect(onB.find((m) => m.event === 'pusher_internal:member_added')?.data).toBe(
      '{"user_id":"zed","user_info":{"z":1}}',
    );
    expect([...(await b.presenceMembers('app', 'presence-z')).keys()]).toEqual(['zed']);
  });

  it('tells channel_vacated once when a sweep empties a channel, and channel_occupied when its node writes it back', async () => {
    const ns = uniquePrefix('scaling-sweep-occupancy');
    const [toldA, toldB]: WebhookEvent[][] = [[], []];
    const a = await node(ns, [], toldA);
    const b = await node(ns, [], toldB);
    await a.channelOccupied('app', 'only-on-a');
    await a.channelOccupied('app', 'on-both');
    await b.channelOccupied('app', 'on-both');
    await waitFor(() => toldA.length === 2, 4000, 'A tells both channels occupied');
    const heartbeat = (a as unknown as { heartbeat: { stop(): Promise<void>; start(): void } })
      .heartbeat;
    await heartbeat.stop();
    await admin.del(`${ns}node:${a.nodeId}`);
    await waitFor(() => toldB.length > 0, 4000, 'B sweeps A');
    expect(toldB).toEqual([{ name: 'channel_vacated', channel: 'only-on-a' }]);
    heartbeat.start();
    await waitFor(() => toldA.length === 3, 4000, 'A writes its channels back');
    expect(toldA[2]).toEqual({ name: 'channel_occupied', channel: 'only-on-a' });
    await new Promise((r) => setTimeout(r, 1_500));
    // on-both never went empty: nobody said otherwise.
    expect([...toldA, ...toldB].filter((e) => e.channel === 'on-both')).toEqual([
      { name: 'channel_occupied', channel: 'on-both' },
    ]);
  });
});

describe('RedisScalingAdapter on a hanging Redis', () => {
  it('reports degraded while Redis hangs with the connection open, and recovers', async () => {
    const redis = await RedisProcess.start();
    const warnings: string[] = [];
    try {
      const adapter = await RedisScalingAdapter.start({
        url: redis.url,
        namespace: 'hang:',
        logger: { ...silentLogger, warn: (m) => warnings.push(m) },
      });
      adapters.push(adapter);
      adapter.attach(fakeHost([], []));
      expect(adapter.health().status).toBe('ok');
      redis.pause(true);
      // The next heartbeat times out (2 s command timeout): degraded, logged once.
      await waitFor(() => adapter.health().status === 'degraded', 5000, 'degraded');
      for (let i = 0; i < 100; i++)
        adapter.publish({ appId: 'app', channels: ['c'], event: 'e', data: '{}' });
      redis.pause(false);
      await waitFor(() => adapter.health().status === 'ok', 5000, 'ok again');
      expect(warnings.filter((w) => w.includes('lost Redis'))).toHaveLength(1);
      expect(warnings.filter((w) => w.includes('is back;'))).toHaveLength(1);
    } finally {
      redis.pause(false);
      await Promise.all(adapters.splice(0).map((a) => a.close()));
      await redis.stop();
    }
  }, 60_000);
});

describe('RedisScalingAdapter start-up', () => {
  it('fails at boot with the URL (password masked) and what to fix when Redis is unreachable', async () => {
    const port = await freePort();
    const error = await RedisScalingAdapter.start({
      url: `redis://:s3cret@127.0.0.1:${port}`,
      namespace: 'never:',
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastDriverError);
    const message = (error as Error).message;
    expect(message).toContain(`redis://:****@127.0.0.1:${port}`);
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain('BROADCASTING_REDIS_URL');
    expect(message).not.toContain('s3cret');
  });
});
