import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChannelOccupied,
  ChannelVacated,
  ClientEvent,
  MemberAdded,
  MemberRemoved,
  type AnyBroadcastingEvent,
} from 'nestjs-broadcasting';
import { BroadcastServer, BroadcastServerModule } from 'nestjs-broadcasting/server';
import {
  clientFor,
  HTTP_APP,
  record,
  subscribed,
  waitFor,
} from '../support/broadcast-server-harness.js';
import type { PusherClient } from '../support/engine-harness.js';

/** `@OnEvent('broadcasting.*')` in an app that hosts the server, with the typed payloads. */
@Injectable()
class ServerEventListener {
  readonly heard: Array<[string, AnyBroadcastingEvent]> = [];

  @OnEvent('broadcasting.channel_occupied')
  occupied(event: ChannelOccupied) {
    this.heard.push(['occupied', event]);
  }

  @OnEvent('broadcasting.channel_vacated')
  vacated(event: ChannelVacated) {
    this.heard.push(['vacated', event]);
  }

  @OnEvent('broadcasting.member_added')
  added(event: MemberAdded) {
    this.heard.push(['added', event]);
  }

  @OnEvent('broadcasting.member_removed')
  removed(event: MemberRemoved) {
    this.heard.push(['removed', event]);
  }

  @OnEvent('broadcasting.client_event')
  whisper(event: ClientEvent) {
    this.heard.push(['whisper', event]);
  }
}

let app: INestApplicationContext | undefined;
const clients: PusherClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await app?.close();
  app = undefined;
});

async function start() {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      BroadcastServerModule.forRoot({
        apps: [HTTP_APP],
        host: '127.0.0.1',
        port: 0,
        localHub: false,
        redis: false,
        logger: false,
      }),
    ],
    providers: [ServerEventListener],
  }).compile();
  app = await moduleRef.init();
  const port = Number(new URL(app.get(BroadcastServer).url!).port);
  return { listener: app.get(ServerEventListener), port };
}

describe('server events on EventEmitter2', () => {
  it('emits broadcasting.* events with their typed payloads to @OnEvent listeners', async () => {
    const { listener, port } = await start();
    const alice = clientFor({ port }, { user: { id: 'alice' } });
    const bob = clientFor({ port }, { user: { id: 'bob' } });
    clients.push(alice, bob);
    const aliceRoom = await subscribed(alice, 'presence-room');
    const bobRoom = await subscribed(bob, 'presence-room');
    const whispers = record(bobRoom, 'client-hi');
    (aliceRoom as any).trigger('client-hi', { n: 1 });
    await waitFor(() => whispers.length === 1, 10_000, 'the whisper');
    alice.disconnect();
    bob.disconnect();
    await waitFor(
      () => listener.heard.some(([kind]) => kind === 'vacated'),
      10_000,
      'channel_vacated',
    );

    const kinds = listener.heard.map(([kind]) => kind);
    expect(kinds.filter((k) => k === 'occupied')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'added')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'removed')).toHaveLength(2);
    const [, occupied] = listener.heard.find(([kind]) => kind === 'occupied')!;
    expect(occupied).toBeInstanceOf(ChannelOccupied);
    expect(occupied).toMatchObject({ appId: HTTP_APP.id, channel: 'presence-room' });
    const [, added] = listener.heard.find(([kind]) => kind === 'added')!;
    expect(added).toBeInstanceOf(MemberAdded);
    expect(added).toMatchObject({ channel: 'presence-room', userId: 'alice' });
    const [, whisper] = listener.heard.find(([kind]) => kind === 'whisper')!;
    expect(whisper).toBeInstanceOf(ClientEvent);
    expect(whisper).toMatchObject({
      channel: 'presence-room',
      event: 'client-hi',
      data: JSON.stringify({ n: 1 }),
      userId: 'alice',
    });
    const ids = listener.heard.map(([, event]) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
