import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connected, subscribed, waitFor } from '../support/broadcast-server-harness.js';
import { APP, sleep, useCluster, type ClusterNode } from '../scaling/support/cluster-harness.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Webhooks of two real nodes (one from code, fixtures/node.mjs; one the `serve` bin with a
 * config file) on the file's own Redis: each
 * cluster-wide change is sent once, by one node, including the dead-node sweep after a
 * SIGKILL; a webhook pending in Redis is sent by the survivor when its node dies.
 */
const cluster = useCluster('webhooks-cluster', 0);
let receiver: WebhookReceiver;
let a: ClusterNode;
let b: ClusterNode;
/** The /flaky hook fails until this is set. */
let flakyHeals = false;

/** Cleanup after a SIGKILL takes heartbeat TTL + interval (6 s); on a loaded machine, more. */
const DEADLINE = 40_000;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  receiver.answer = (_n, path) => (path === '/flaky' && !flakyHeals ? 500 : 200);
  const fixtureOptions = {
    apps: [
      {
        ...APP,
        webhooks: [
          { url: receiver.url('/all'), filter: { channelNameStartsWith: 'x-' } },
          { url: receiver.url('/all'), filter: { channelNameStartsWith: 'presence-x-' } },
          {
            url: receiver.url('/flaky'),
            eventTypes: ['channel_occupied'],
            filter: { channelNameStartsWith: 'flaky-' },
          },
        ],
      },
    ],
  };
  // b is the bin, configured by a file: the path users of `nestjs-broadcasting serve` take.
  const file = join(cluster.pkg, 'broadcasting.json');
  writeFileSync(file, JSON.stringify({ server: fixtureOptions }));
  [a, b] = await Promise.all([
    cluster.startNode({ fixtureOptions }),
    cluster.startNode({ env: { BROADCASTING_CONFIG: file } }),
  ]);
}, 120_000);
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
});

const sent = (name: string, channel: string, userId?: string) =>
  receiver
    .delivered('/all')
    .filter((e) => e.name === name && e.channel === channel && e.user_id === userId);

async function client(node: ClusterNode, user?: string) {
  const c = cluster.pusher(node, user ? { id: user, info: {} } : undefined);
  await connected(c);
  return c;
}

describe('webhooks across nodes', () => {
  it('sends channel_occupied when the first node gets a subscriber and channel_vacated when the last one loses it', async () => {
    const [onA, onB] = [await client(a), await client(b)];
    await Promise.all([subscribed(onA, 'x-shared'), subscribed(onB, 'x-shared')]);
    await waitFor(() => sent('channel_occupied', 'x-shared').length > 0, DEADLINE, 'occupied');
    onA.unsubscribe('x-shared');
    await sleep(1_000);
    expect(sent('channel_vacated', 'x-shared')).toHaveLength(0);
    onB.unsubscribe('x-shared');
    await waitFor(() => sent('channel_vacated', 'x-shared').length > 0, DEADLINE, 'vacated');
    await sleep(1_000);
    expect(sent('channel_occupied', 'x-shared')).toHaveLength(1);
    expect(sent('channel_vacated', 'x-shared')).toHaveLength(1);
    for (const request of receiver.received)
      expect(WebhookReceiver.validWith(APP, request)).toBe(true);
  });

  it('sends member_added for a user’s first socket anywhere and member_removed for the last', async () => {
    const [onA, onB] = [await client(a, 'u1'), await client(b, 'u1')];
    await subscribed(onA, 'presence-x-room');
    await subscribed(onB, 'presence-x-room');
    await waitFor(
      () => sent('member_added', 'presence-x-room', 'u1').length > 0,
      DEADLINE,
      'added',
    );
    onA.unsubscribe('presence-x-room');
    await sleep(1_000);
    expect(sent('member_removed', 'presence-x-room', 'u1')).toHaveLength(0);
    onB.unsubscribe('presence-x-room');
    await waitFor(
      () => sent('member_removed', 'presence-x-room', 'u1').length > 0,
      DEADLINE,
      'removed',
    );
    await sleep(1_000);
    expect(sent('member_added', 'presence-x-room', 'u1')).toHaveLength(1);
    expect(sent('member_removed', 'presence-x-room', 'u1')).toHaveLength(1);
  });

  it('sends a webhook pending in Redis from the surviving node after its node is killed', async () => {
    // Starts failing on b; b's SIGKILL must not lose it.
    const victim = await cluster.startNode({
      fixtureOptions: {
        apps: [
          {
            ...APP,
            webhooks: [
              {
                url: receiver.url('/flaky'),
                eventTypes: ['channel_occupied'],
                filter: { channelNameStartsWith: 'flaky-' },
              },
            ],
          },
        ],
      },
    });
    await subscribed(await client(victim), 'flaky-1');
    await waitFor(() => receiver.received.some((r) => r.path === '/flaky'), DEADLINE, 'a failure');
    await victim.kill('SIGKILL');
    flakyHeals = true;
    await waitFor(() => receiver.delivered('/flaky').length > 0, DEADLINE, 'the delivery');
    await sleep(2_000);
    expect(receiver.delivered('/flaky')).toEqual([
      { name: 'channel_occupied', channel: 'flaky-1' },
    ]);
  });

  it('sends member_removed and channel_vacated once, from the survivor, after a node is killed', async () => {
    const victim = await cluster.startNode({
      fixtureOptions: {
        apps: [{ ...APP, webhooks: [{ url: receiver.url('/all') }] }],
      },
    });
    const survivor = await client(a, 'w');
    await subscribed(survivor, 'presence-x-doomed');
    const doomed = await client(victim, 'v');
    await subscribed(doomed, 'x-doomed');
    await subscribed(doomed, 'presence-x-doomed');
    await waitFor(() => sent('member_added', 'presence-x-doomed', 'v').length > 0, DEADLINE, 'v');
    await waitFor(() => sent('channel_occupied', 'x-doomed').length > 0, DEADLINE, 'occupied');
    await victim.kill('SIGKILL');
    await waitFor(
      () =>
        sent('member_removed', 'presence-x-doomed', 'v').length > 0 &&
        sent('channel_vacated', 'x-doomed').length > 0,
      DEADLINE,
      'the sweep’s webhooks',
    );
    await sleep(3_000);
    expect(sent('member_removed', 'presence-x-doomed', 'v')).toHaveLength(1);
    expect(sent('channel_vacated', 'x-doomed')).toHaveLength(1);
    // w is still there on a: the presence channel stays occupied.
    expect(sent('channel_vacated', 'presence-x-doomed')).toHaveLength(0);
    expect(sent('member_removed', 'presence-x-doomed', 'w')).toHaveLength(0);
  });
});
