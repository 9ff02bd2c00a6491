import { randomBytes } from 'node:crypto';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Echo from 'laravel-echo';
import PusherJs from 'pusher-js';
import { BroadcastManager, BroadcastModule } from 'nestjs-broadcasting';
import {
  joinPresence,
  listen,
  listenForWhisper,
  whisper,
  type BroadcastClient,
} from 'nestjs-broadcasting/client';
import { startBroadcastServer, type BroadcastServerHandle } from 'nestjs-broadcasting/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../fixtures/core/wait-for.js';
import { localPusherOptions } from '../server/support/engine-harness.js';
import { ShopChannels, type ShopUser } from './fixtures/shop-channels.js';
import {
  OrderChannel,
  OrderShipped,
  Room,
  RoomMessage,
  ShipmentsCounted,
  Typing,
  VaultOpened,
  type RoomMember,
} from './fixtures/shop.contracts.js';

const APP = { id: 'contracts', key: 'contracts-key', secret: 'contracts-secret' };
const USERS: Record<string, ShopUser> = {
  ann: { id: 1, name: 'Ann' },
  bob: { id: 2, name: 'Bob' },
};
const WAIT = 30_000;
const MASTER_KEY = randomBytes(32).toString('base64');

interface PusherClient {
  channel(name: string): { subscribed: boolean } | undefined;
  disconnect(): void;
}
// pusher-js ships CommonJS typings that NodeNext does not see as a constructor.
const Pusher = PusherJs as unknown as new (
  key: string,
  options: object,
) => PusherClient & BroadcastClient;

describe('the client helpers with real laravel-echo and pusher-js', () => {
  let server: BroadcastServerHandle;
  let app: INestApplication;
  let url: string;
  let manager: BroadcastManager;
  const opened: Array<{ disconnect(): void }> = [];

  beforeAll(async () => {
    server = await startBroadcastServer({ apps: [APP], host: '127.0.0.1', port: 0, logger: false });
    @Module({
      imports: [
        BroadcastModule.forRoot({
          default: 'local',
          app: APP,
          encryptionMasterKey: MASTER_KEY,
          // Encrypted payloads are encrypted by the pusher SDK: send them over our HTTP API.
          connections: {
            api: { driver: 'pusher', host: '127.0.0.1', port: server.port, scheme: 'http' },
          },
          auth: { resolveUser: (req) => USERS[String(req.headers['x-user'])] },
        }),
      ],
      providers: [ShopChannels],
    })
    class ShopModule {}
    app = await NestFactory.create(ShopModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    manager = app.get(BroadcastManager);
  });

  afterAll(async () => {
    opened.forEach((client) => client.disconnect());
    await app?.close();
    await server?.close();
  });

  const socket = () => localPusherOptions(server.port);

  function echoFor(user: string) {
    const echo = new Echo<'reverb'>({
      broadcaster: 'reverb',
      key: APP.key,
      ...socket(),
      Pusher: PusherJs,
      authEndpoint: `${url}/broadcasting/auth`,
      auth: { headers: { 'X-User': user } },
    } as never);
    opened.push(echo);
    return echo;
  }

  function pusherFor(user: string) {
    const pusher = new Pusher(APP.key, {
      ...socket(),
      channelAuthorization: {
        endpoint: `${url}/broadcasting/auth`,
        transport: 'ajax',
        headers: { 'X-User': user },
      },
    });
    opened.push(pusher);
    return pusher;
  }

  const pusherOf = (echo: Echo<'reverb'>) =>
    (echo.connector as unknown as { pusher: PusherClient }).pusher;
  const subscribed = (client: PusherClient, name: string) =>
    waitFor(() => client.channel(name)?.subscribed === true, `${name} subscribed`, WAIT);

  it('Echo: listen() subscribes to the private channel the contract names and types the payload', async () => {
    const echo = echoFor('ann');
    const received: Array<{ orderId: number; tracking: string }> = [];
    const stop = listen(echo, OrderShipped, { orderId: 7 }, (event) => received.push(event));
    await subscribed(pusherOf(echo), 'private-orders.7');

    await manager.send(OrderShipped, { orderId: 7 }, { orderId: 7, tracking: 'TRK-7' });
    await waitFor(() => received.length === 1, 'OrderShipped', WAIT);
    expect(received).toEqual([{ orderId: 7, tracking: 'TRK-7' }]);
    stop();
  });

  it('pusher-js: listen() binds the exact event name on a public channel', async () => {
    const pusher = pusherFor('bob');
    const counts: number[] = [];
    listen(pusher, ShipmentsCounted, {}, ({ count }) => counts.push(count));
    await subscribed(pusher, 'shipments');

    await manager.send(ShipmentsCounted, {}, { count: 3 });
    await waitFor(() => counts.length === 1, 'ShipmentsCounted', WAIT);
    expect(counts).toEqual([3]);
  });

  it('stop() leaves the channel once its last listener stops', async () => {
    const pusher = pusherFor('ann');
    const name = OrderChannel.name({ orderId: 8 });
    const first: unknown[] = [];
    const second: unknown[] = [];
    const stopFirst = listen(pusher, OrderShipped, { orderId: 8 }, (e) => first.push(e));
    const stopSecond = listen(pusher, OrderShipped, { orderId: 8 }, (e) => second.push(e));
    await subscribed(pusher, name);

    stopFirst();
    expect(pusher.channel(name)?.subscribed).toBe(true);
    await manager.send(OrderShipped, { orderId: 8 }, { orderId: 8, tracking: 'TRK-8' });
    await waitFor(() => second.length === 1, 'the second listener', WAIT);
    expect(first).toEqual([]);

    stopSecond();
    expect(pusher.channel(name)).toBeUndefined();
  });

  it('Echo: joinPresence() types here/joining/leaving members by the contract', async () => {
    const ann = echoFor('ann');
    const here: RoomMember[][] = [];
    const joined: RoomMember[] = [];
    const left: RoomMember[] = [];
    joinPresence(
      ann,
      Room,
      { roomId: 'lobby' },
      {
        here: (members) => here.push(members),
        joining: (member) => joined.push(member),
        leaving: (member) => left.push(member),
      },
    );
    await waitFor(() => here.length === 1, 'here()', WAIT);
    expect(here[0]).toEqual([{ id: 1, name: 'Ann' }]);

    const bob = pusherFor('bob');
    const bobHere: RoomMember[][] = [];
    const stopBob = joinPresence(bob, Room, { roomId: 'lobby' }, { here: (m) => bobHere.push(m) });
    await waitFor(() => joined.length === 1, 'joining()', WAIT);
    expect(joined).toEqual([{ id: 2, name: 'Bob' }]);
    await waitFor(() => bobHere.length === 1, "Bob's here()", WAIT);
    expect(bobHere[0]).toEqual(
      expect.arrayContaining([
        { id: 1, name: 'Ann' },
        { id: 2, name: 'Bob' },
      ]),
    );

    stopBob();
    await waitFor(() => left.length === 1, 'leaving()', WAIT);
    expect(left).toEqual([{ id: 2, name: 'Bob' }]);
  });

  it('whispers are typed and reach the others on the channel (pusher-js to Echo)', async () => {
    const ann = echoFor('ann');
    const typing: Array<{ name: string }> = [];
    const messages: string[] = [];
    listenForWhisper(ann, Typing, { roomId: 'lobby' }, (event) => typing.push(event));
    listen(ann, RoomMessage, { roomId: 'lobby' }, (event) => messages.push(event.text));
    await subscribed(pusherOf(ann), 'presence-rooms.lobby');

    const bob = pusherFor('bob');
    joinPresence(bob, Room, { roomId: 'lobby' }, {});
    await subscribed(bob, 'presence-rooms.lobby');
    whisper(bob, Typing, { roomId: 'lobby' }, { name: 'Bob' });
    await waitFor(() => typing.length === 1, 'the whisper', WAIT);
    expect(typing).toEqual([{ name: 'Bob' }]);

    await manager.send(RoomMessage, { roomId: 'lobby' }, { from: 'server', text: 'hello' });
    await waitFor(() => messages.length === 1, 'RoomMessage', WAIT);
    expect(messages).toEqual(['hello']);
  });

  it('Echo: listen() on an encrypted contract joins private-encrypted- and decrypts the event', async () => {
    const echo = echoFor('ann');
    const opened: number[] = [];
    const stop = listen(echo, VaultOpened, { userId: '1' }, ({ at }) => opened.push(at));
    await subscribed(pusherOf(echo), 'private-encrypted-vault.1');

    await manager.send(VaultOpened, { userId: '1' }, { at: 1234 }, { connection: 'api' });
    await waitFor(() => opened.length === 1, 'VaultOpened', WAIT);
    expect(opened).toEqual([1234]);
    stop();
    expect(pusherOf(echo).channel('private-encrypted-vault.1')).toBeUndefined();
  });

  it('a refusal by @ChannelAuth(contract) reaches the error option, through Echo and pusher-js', async () => {
    const refusals: Array<number | undefined> = [];
    const record = { error: (error: { status?: number }) => refusals.push(error.status) };
    listen(echoFor('bob'), OrderShipped, { orderId: 7 }, () => undefined, record);
    listen(pusherFor('bob'), OrderShipped, { orderId: 7 }, () => undefined, record);
    await waitFor(() => refusals.length === 2, 'two refusals', WAIT);
    expect(refusals).toEqual([403, 403]);
  });

  it('joinPresence() hands a refusal to its error handler', async () => {
    const refusals: Array<number | undefined> = [];
    joinPresence(
      pusherFor('ann'),
      Room,
      { roomId: 'attic' },
      {
        error: (error) => refusals.push(error.status),
      },
    );
    await waitFor(() => refusals.length === 1, 'the refusal', WAIT);
    expect(refusals).toEqual([403]);
  });

  it('@ChannelAuth(contract) authorizes the contract kind only: presence-orders.7 has no pattern', async () => {
    const response = await fetch(`${url}/broadcasting/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-User': 'ann' },
      body: new URLSearchParams({ socket_id: '1.1', channel_name: 'presence-orders.7' }).toString(),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('no_matching_pattern');
    const allowed = await fetch(`${url}/broadcasting/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-User': 'ann' },
      body: new URLSearchParams({ socket_id: '1.1', channel_name: 'private-orders.7' }).toString(),
    });
    expect(allowed.status).toBe(200);
  });
});
