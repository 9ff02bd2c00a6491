import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerAppOptions } from '../../../lib/server/options/server-options.interface.js';
import {
  connected,
  HTTP_APP,
  record,
  subscribed,
  useTestServers,
  waitFor,
} from '../support/broadcast-server-harness.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Webhooks of a single node to a real `node:http` receiver: the Pusher format (checked with
 * the `pusher` SDK), filters, batching, and the events pusher-js clients cause.
 */
const servers = useTestServers();
let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await WebhookReceiver.start();
});
afterEach(() => receiver.close());

function appWith(webhooks: ServerAppOptions['webhooks'], extra: Partial<ServerAppOptions> = {}) {
  return { ...HTTP_APP, webhooks, ...extra };
}

const DEADLINE = 15_000;

describe('webhooks: format and events', () => {
  it('sends channel_occupied and channel_vacated signed so the pusher SDK accepts them', async () => {
    await servers.start({
      apps: [
        appWith([{ url: receiver.url(), headers: { 'X-Env': 'prod', 'X-Pusher-Key': 'forged' } }]),
      ],
    });
    const client = servers.client();
    await connected(client);
    await subscribed(client, 'orders.1');
    await waitFor(() => receiver.delivered().length >= 1, DEADLINE, 'channel_occupied');
    client.unsubscribe('orders.1');
    await waitFor(() => receiver.delivered().length >= 2, DEADLINE, 'channel_vacated');

    expect(receiver.delivered()).toEqual([
      { name: 'channel_occupied', channel: 'orders.1' },
      { name: 'channel_vacated', channel: 'orders.1' },
    ]);
    for (const request of receiver.received) {
      expect(WebhookReceiver.validWith(HTTP_APP, request)).toBe(true);
      expect(request.headers['content-type']).toBe('application/json');
      // The hook's own headers go along, but never replace the Pusher ones.
      expect(request.headers['x-pusher-key']).toBe(HTTP_APP.key);
      expect(request.headers['x-env']).toBe('prod');
      expect(typeof request.body.time_ms).toBe('number');
    }
    // A forged signature is refused by the same check: the test can fail.
    const forged = { ...receiver.received[0], rawBody: receiver.received[0].rawBody + ' ' };
    expect(WebhookReceiver.validWith(HTTP_APP, forged)).toBe(false);
  });

  it('sends member_added, member_removed, client_event with user_id, and cache_miss', async () => {
    await servers.start({
      apps: [appWith([{ url: receiver.url() }], { enableClientMessages: true })],
    });
    const alice = servers.client({ user: { id: 'alice', info: { name: 'A' } } });
    const bob = servers.client({ user: { id: 'bob' } });
    const aliceRoom = await subscribed(alice, 'presence-room');
    const bobRoom = await subscribed(bob, 'presence-room');
    const whispers = record(bobRoom, 'client-typing');
    (aliceRoom as any).trigger('client-typing', { on: true });
    await waitFor(() => whispers.length === 1, DEADLINE, 'the whisper');
    await subscribed(bob, 'private-cache-prices');
    bob.unsubscribe('presence-room');
    const names = () => receiver.delivered().map((e) => e.name);
    await waitFor(() => names().includes('member_removed'), DEADLINE, 'member_removed');
    await waitFor(() => names().includes('cache_miss'), DEADLINE, 'cache_miss');

    const events = receiver.delivered();
    expect(events.filter((e) => e.name === 'member_added')).toEqual([
      { name: 'member_added', channel: 'presence-room', user_id: 'alice' },
      { name: 'member_added', channel: 'presence-room', user_id: 'bob' },
    ]);
    expect(events.filter((e) => e.name === 'member_removed')).toEqual([
      { name: 'member_removed', channel: 'presence-room', user_id: 'bob' },
    ]);
    expect(events.filter((e) => e.name === 'client_event')).toEqual([
      {
        name: 'client_event',
        channel: 'presence-room',
        event: 'client-typing',
        data: JSON.stringify({ on: true }),
        socket_id: alice.connection.socket_id,
        user_id: 'alice',
      },
    ]);
    expect(events.filter((e) => e.name === 'cache_miss')).toEqual([
      { name: 'cache_miss', channel: 'private-cache-prices' },
    ]);
  });

  it('sends each hook only the events that pass its own filters', async () => {
    await servers.start({
      apps: [
        appWith([
          { url: receiver.url('/all') },
          {
            url: receiver.url('/orders'),
            eventTypes: ['channel_occupied'],
            filter: { channelNameStartsWith: 'orders.' },
          },
          { url: receiver.url('/ends'), filter: { channelNameEndsWith: '.eu' } },
        ]),
      ],
    });
    const client = servers.client();
    for (const channel of ['orders.1', 'carts.1', 'orders.2.eu']) await subscribed(client, channel);
    client.unsubscribe('orders.1');
    await waitFor(() => receiver.delivered('/all').length === 4, DEADLINE, 'all four events');
    await waitFor(() => receiver.delivered('/orders').length === 2, DEADLINE, 'orders events');
    await waitFor(() => receiver.delivered('/ends').length === 1, DEADLINE, 'the .eu event');

    expect(receiver.delivered('/orders')).toEqual([
      { name: 'channel_occupied', channel: 'orders.1' },
      { name: 'channel_occupied', channel: 'orders.2.eu' },
    ]);
    expect(receiver.delivered('/ends')).toEqual([
      { name: 'channel_occupied', channel: 'orders.2.eu' },
    ]);
  });

  it('batches at most 20 events per request', async () => {
    await servers.start({ apps: [appWith([{ url: receiver.url() }])] });
    const client = servers.client();
    await connected(client);
    await Promise.all(Array.from({ length: 45 }, (_, i) => subscribed(client, `room-${i}`)));
    await waitFor(() => receiver.delivered().length === 45, DEADLINE, '45 events');

    expect(receiver.received.every((r) => r.body.events.length <= 20)).toBe(true);
    expect(receiver.received.length).toBeGreaterThanOrEqual(3);
    expect(new Set(receiver.delivered().map((e) => e.channel)).size).toBe(45);
  });

  it('sends subscription_count only for an app that turns it on', async () => {
    await servers.start({
      apps: [
        appWith([{ url: receiver.url(), eventTypes: ['subscription_count'] }], {
          subscriptionCountEvents: true,
        }),
      ],
    });
    const [a, b] = [servers.client(), servers.client()];
    await subscribed(a, 'counted');
    await subscribed(b, 'counted');
    await waitFor(
      () => receiver.delivered().some((e) => e.subscription_count === 2),
      DEADLINE,
      'a count of 2',
    );
    expect(receiver.delivered().at(-1)).toEqual({
      name: 'subscription_count',
      channel: 'counted',
      subscription_count: 2,
    });
  });

  it('sends no subscription_count when the app leaves it off', async () => {
    await servers.start({ apps: [appWith([{ url: receiver.url() }])] });
    const client = servers.client();
    await subscribed(client, 'uncounted');
    await waitFor(() => receiver.delivered().length === 1, DEADLINE, 'channel_occupied');
    await new Promise((r) => setTimeout(r, 800));
    expect(receiver.delivered()).toEqual([{ name: 'channel_occupied', channel: 'uncounted' }]);
  });
});
