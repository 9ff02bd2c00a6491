import { beforeEach, describe, expect, it } from 'vitest';
import type { BroadcastServerHandle } from 'nestjs-broadcasting/server';
import { signUser } from '../../../lib/shared/pusher-protocol/signatures.js';
import { settle } from '../../fixtures/core/wait-for.js';
import { RawClient } from '../support/engine-harness.js';
import {
  connected,
  HTTP_APP,
  record,
  senderAndOther,
  serverSdk,
  subscribed,
  useTestServers,
  waitFor,
} from '../support/broadcast-server-harness.js';

const servers = useTestServers();
const wsUrl = () =>
  `ws://127.0.0.1:${server.port}/app/${HTTP_APP.key}?protocol=7&client=js&version=8.6.0`;

/** A raw socket signed in as `id` and on its user channel (so its close code and every frame can be checked). */
async function signedIn(id: string): Promise<RawClient> {
  const raw = await RawClient.connect(wsUrl());
  const userData = JSON.stringify({ id });
  raw.send({
    event: 'pusher:signin',
    data: {
      user_data: userData,
      auth: signUser(HTTP_APP.key, HTTP_APP.secret, raw.socketId!, userData),
    },
  });
  await raw.next('pusher:signin_success');
  // What pusher-js does after signing in: join the user's own channel.
  expect((await raw.subscribe(`#server-to-user-${id}`)).event).toBe(
    'pusher_internal:subscription_succeeded',
  );
  return raw;
}
const client = servers.client;
let server: BroadcastServerHandle;
beforeEach(async () => {
  server = await servers.start();
});

describe('HTTP API with the pusher SDK', () => {
  it('trigger delivers the event to pusher-js subscribers of every channel named', async () => {
    const a = client();
    const [orders, invoices] = await Promise.all([
      subscribed(a, 'orders'),
      subscribed(a, 'private-invoices.7'),
    ]);
    const onOrders = record(orders, 'order.shipped');
    const onInvoices = record(invoices, 'order.shipped');

    const res = await serverSdk(server).trigger(['orders', 'private-invoices.7'], 'order.shipped', {
      id: 7,
    });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    await waitFor(() => onOrders.length === 1 && onInvoices.length === 1);
    expect(onOrders).toEqual([{ id: 7 }]);
    expect(onInvoices).toEqual([{ id: 7 }]);
  });

  it('trigger with socket_id skips that socket and reaches the others', async () => {
    const { sender, senderGot, otherGot } = await senderAndOther(() => client(), 'room', 'said');
    const socketId = await connected(sender);

    await serverSdk(server).trigger('room', 'said', { text: 'hi' }, { socket_id: socketId });
    await serverSdk(server).trigger('room', 'said', { text: 'to all' });

    await waitFor(() => otherGot.length === 2 && senderGot.length === 1);
    expect(otherGot).toEqual([{ text: 'hi' }, { text: 'to all' }]);
    expect(senderGot).toEqual([{ text: 'to all' }]);
  });

  it('triggerBatch delivers each event on its own channel', async () => {
    const a = client();
    const [one, two] = await Promise.all([subscribed(a, 'one'), subscribed(a, 'two')]);
    const got: unknown[] = [];
    one.bind('e1', (d: unknown) => got.push(['one', d]));
    two.bind('e2', (d: unknown) => got.push(['two', d]));

    const res = await serverSdk(server).triggerBatch([
      { channel: 'one', name: 'e1', data: { n: 1 } },
      { channel: 'two', name: 'e2', data: { n: 2 } },
    ]);

    expect(await res.json()).toEqual({});
    await waitFor(() => got.length === 2);
    expect(got).toEqual(
      expect.arrayContaining([
        ['one', { n: 1 }],
        ['two', { n: 2 }],
      ]),
    );
  });

  it('trigger with info returns the requested attributes of each channel', async () => {
    await Promise.all([
      subscribed(client({ user: { id: 'u1' } }), 'presence-lobby'),
      subscribed(client({ user: { id: 'u2' } }), 'presence-lobby'),
      subscribed(client({ user: { id: 'u2' } }), 'presence-lobby'),
      subscribed(client(), 'news'),
    ]);

    const res = await serverSdk(server).trigger(
      ['presence-lobby', 'news'],
      'tick',
      {},
      { info: 'user_count,subscription_count' },
    );

    expect(await res.json()).toEqual({
      channels: {
        'presence-lobby': { user_count: 2, subscription_count: 3 },
        news: { subscription_count: 1 },
      },
    });
  });

  it('triggerBatch with info returns one attribute object per event', async () => {
    await subscribed(client({ user: { id: 'u1' } }), 'presence-a');
    const res = await serverSdk(server).triggerBatch([
      { channel: 'presence-a', name: 'x', data: {}, info: 'user_count' },
      { channel: 'empty', name: 'y', data: {}, info: 'subscription_count' },
    ]);
    expect(await res.json()).toEqual({ batch: [{ user_count: 1 }, { subscription_count: 0 }] });
  });

  it('GET /channels lists occupied channels, filtered by prefix, with user counts', async () => {
    await Promise.all([
      subscribed(client({ user: { id: 'u1' } }), 'presence-room.1'),
      subscribed(client({ user: { id: 'u2' } }), 'presence-room.1'),
      subscribed(client(), 'public.1'),
      subscribed(client(), 'private-secret'),
    ]);
    const sdk = serverSdk(server);

    const all = await (await sdk.get({ path: '/channels' })).json();
    expect(all).toEqual({
      channels: { 'presence-room.1': {}, 'public.1': {}, 'private-secret': {} },
    });

    const presence = await (
      await sdk.get({
        path: '/channels',
        params: { filter_by_prefix: 'presence-', info: 'user_count' },
      })
    ).json();
    expect(presence).toEqual({ channels: { 'presence-room.1': { user_count: 2 } } });
  });

  it('GET /channels/{name} reports occupancy and the requested counts', async () => {
    await Promise.all([
      subscribed(client({ user: { id: 'u1' } }), 'presence-chat'),
      subscribed(client({ user: { id: 'u1' } }), 'presence-chat'),
    ]);
    const sdk = serverSdk(server);

    const chat = await sdk.get({
      path: '/channels/presence-chat',
      params: { info: 'user_count,subscription_count' },
    });
    expect(await chat.json()).toEqual({ occupied: true, user_count: 1, subscription_count: 2 });

    const vacant = await sdk.get({ path: '/channels/nobody-here' });
    expect(await vacant.json()).toEqual({ occupied: false });
  });

  it('GET /channels/{name}/users lists each presence user once', async () => {
    await Promise.all([
      subscribed(client({ user: { id: 'alice' } }), 'presence-team'),
      subscribed(client({ user: { id: 'bob' } }), 'presence-team'),
      subscribed(client({ user: { id: 'bob' } }), 'presence-team'),
    ]);
    const res = await serverSdk(server).get({ path: '/channels/presence-team/users' });
    const { users } = (await res.json()) as { users: Array<{ id: string }> };
    expect(users.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'alice' },
      { id: 'bob' },
    ]);
  });

  it('sendToUser reaches every connection signed in as that user, and nobody else', async () => {
    const alice1 = client({ user: { id: 'alice' } });
    const alice2 = client({ user: { id: 'alice' } });
    const bob = client({ user: { id: 'bob' } });
    const got: string[] = [];
    for (const [name, c] of [
      ['alice1', alice1],
      ['alice2', alice2],
      ['bob', bob],
    ] as const) {
      c.user.bind('notice', (d: { n: number }) => got.push(`${name}:${d.n}`));
      c.signin();
    }
    // Signed in and subscribed to #server-to-user-{id} once the user's channel is confirmed.
    await waitFor(() => [alice1, alice2, bob].every((c) => c.user.serverToUserChannel?.subscribed));

    await serverSdk(server).sendToUser('alice', 'notice', { n: 1 });
    await waitFor(() => got.length === 2);
    // Bob's own notice, sent after, is the sentinel: once it is in, alice's would have been too.
    await serverSdk(server).sendToUser('bob', 'notice', { n: 2 });
    await waitFor(() => got.includes('bob:2'));

    expect(got.sort()).toEqual(['alice1:1', 'alice2:1', 'bob:2']);
  });

  it('terminateUserConnections closes every connection of the user with 4009, and only those', async () => {
    const alices = await Promise.all([1, 2, 3].map(() => signedIn('alice')));
    const bob = await signedIn('bob');
    const guest = await RawClient.connect(wsUrl());

    const res = await serverSdk(server).terminateUserConnections('alice');

    expect(res.status).toBe(200);
    for (const alice of alices) {
      expect(await alice.closed()).toBe(4009);
      expect(alice.closeReason).toBe('Connection terminated by the app.');
      expect(alice.all('pusher:error').map((f) => f.data)).toEqual([
        { code: 4009, message: 'Connection terminated by the app.' },
      ]);
    }
    // The others are still served after the terminate settled: a round trip and a message.
    await settle(250);
    await Promise.all([bob.flush(), guest.flush()]);
    await serverSdk(server).sendToUser('bob', 'still-here', {});
    await bob.next('still-here');
    expect([bob.closeCode, guest.closeCode]).toEqual([undefined, undefined]);
    for (const c of [...alices, bob, guest]) c.close();
  });
});

describe('GET /up', () => {
  it('answers 200 for health checks without a signature', async () => {
    const res = await fetch(`${server.url}/up`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
