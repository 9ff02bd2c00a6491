import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createHmac } from 'node:crypto';
import PusherServer from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BroadcastWebhookModule,
  ChannelOccupied,
  MemberAdded,
  type AnyBroadcastingEvent,
} from 'nestjs-broadcasting';
import {
  clientFor,
  HTTP_APP,
  startTestServer,
  subscribed,
  waitFor,
} from '../server/support/broadcast-server-harness.js';
import type { BroadcastServerHandle } from '../../lib/server/hosting/start-broadcast-server.js';
import type { PusherClient } from '../server/support/engine-harness.js';

/**
 * BroadcastWebhookModule in a Nest app that does not host the server, on Express and on
 * Fastify: real webhooks from a real broadcast server, forged ones, and retried duplicates.
 */
@Injectable()
class Heard {
  readonly events: AnyBroadcastingEvent[] = [];

  @OnEvent('broadcasting.channel_occupied')
  occupied(event: ChannelOccupied) {
    this.events.push(event);
  }

  @OnEvent('broadcasting.member_added')
  added(event: MemberAdded) {
    this.events.push(event);
  }
}

function appModule(path?: string) {
  @Module({
    imports: [
      EventEmitterModule.forRoot(),
      BroadcastWebhookModule.forRoot({ path, apps: [HTTP_APP] }),
    ],
    providers: [Heard],
  })
  class ReceiverApp {}
  return ReceiverApp;
}

let app: INestApplication | undefined;
let server: BroadcastServerHandle | undefined;
const clients: PusherClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await server?.close();
  await app?.close();
  app = server = undefined;
});

const PLATFORMS = {
  express: (module: unknown, rawBody: boolean) =>
    NestFactory.create(module as never, { rawBody, logger: false }),
  fastify: (module: unknown, rawBody: boolean) =>
    NestFactory.create(module as never, new FastifyAdapter(), { rawBody, logger: false }),
};

async function receiverApp(platform: keyof typeof PLATFORMS, rawBody = true, path?: string) {
  app = await PLATFORMS[platform](appModule(path), rawBody);
  await app.listen(0, '127.0.0.1');
  return { url: `${await app.getUrl()}`.replace('[::1]', '127.0.0.1'), heard: app.get(Heard) };
}

function post(url: string, body: string, headers: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function signed(body: string, secret = HTTP_APP.secret) {
  return {
    'X-Pusher-Key': HTTP_APP.key,
    'X-Pusher-Signature': createHmac('sha256', secret).update(body).digest('hex'),
  };
}

describe.each(Object.keys(PLATFORMS) as Array<keyof typeof PLATFORMS>)(
  'BroadcastWebhookModule on %s',
  (platform) => {
    it('emits the events of a real server’s webhooks as typed payloads', async () => {
      const { url, heard } = await receiverApp(platform);
      server = await startTestServer({
        apps: [{ ...HTTP_APP, webhooks: [{ url: `${url}/broadcasting/webhooks` }] }],
      });
      const client = clientFor(server, { user: { id: 'alice' } });
      clients.push(client);
      await subscribed(client, 'presence-room');
      await waitFor(() => heard.events.length === 2, 15_000, 'both events');

      const [occupied, added] = [
        heard.events.find((e) => e instanceof ChannelOccupied),
        heard.events.find((e) => e instanceof MemberAdded),
      ];
      expect(occupied).toMatchObject({ appId: HTTP_APP.id, channel: 'presence-room' });
      expect(added).toMatchObject({
        appId: HTTP_APP.id,
        channel: 'presence-room',
        userId: 'alice',
      });
    });

    it('answers 401 to a forged signature and an unknown key, and emits nothing', async () => {
      const { url, heard } = await receiverApp(platform);
      const body = JSON.stringify({
        time_ms: Date.now(),
        events: [{ name: 'channel_occupied', channel: 'forged' }],
      });
      const forged = await post(
        `${url}/broadcasting/webhooks`,
        body,
        signed(body, 'not-the-secret'),
      );
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({
        message: 'Invalid X-Pusher-Signature: it does not sign this body with the app secret.',
      });
      const unknown = await post(`${url}/broadcasting/webhooks`, body, {
        ...signed(body),
        'X-Pusher-Key': 'someone-else',
      });
      expect(unknown.status).toBe(401);
      expect(await unknown.json()).toMatchObject({
        message: 'Unknown X-Pusher-Key: no app with this key is configured for webhooks.',
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(heard.events).toEqual([]);
    });

    it('gives a retried delivery the same ids, so a listener can ignore it', async () => {
      const { url, heard } = await receiverApp(platform, true, '/hooks/pusher');
      const body = JSON.stringify({
        time_ms: 1_700_000_000_000,
        events: [{ name: 'channel_occupied', channel: 'again' }],
      });
      // The pusher SDK accepts what the test sends: the same check the module makes.
      const sdk = new PusherServer({ ...HTTP_APP, appId: HTTP_APP.id, host: '127.0.0.1' });
      const headers = signed(body);
      const lower = {
        'x-pusher-key': headers['X-Pusher-Key'],
        'x-pusher-signature': headers['X-Pusher-Signature'],
        'content-type': 'application/json',
      };
      expect(sdk.webhook({ headers: lower, rawBody: body }).isValid()).toBe(true);
      for (let i = 0; i < 2; i++)
        expect((await post(`${url}/hooks/pusher`, body, headers)).status).toBe(200);
      await waitFor(() => heard.events.length === 2, 5_000, 'both deliveries');
      expect(heard.events[0].id).toBe(heard.events[1].id);
      expect(heard.events[0]).toMatchObject({ channel: 'again', timeMs: 1_700_000_000_000 });
    });

    it('survives a listener that throws, and still tells the others', async () => {
      const { url, heard } = await receiverApp(platform);
      app!.get(EventEmitter2).prependListener('broadcasting.channel_occupied', () => {
        throw new Error('listener bug');
      });
      const body = JSON.stringify({
        time_ms: 1,
        events: [
          { name: 'channel_occupied', channel: 'first' },
          { name: 'member_added', channel: 'presence-x', user_id: 'u' },
        ],
      });
      expect((await post(`${url}/broadcasting/webhooks`, body, signed(body))).status).toBe(200);
      await waitFor(
        () => heard.events.some((e) => e instanceof MemberAdded),
        5_000,
        'the next event',
      );
      expect((await post(`${url}/broadcasting/webhooks`, body, signed(body))).status).toBe(200);
    });

    it('answers 500 saying what to do when the app was created without rawBody', async () => {
      const { url } = await receiverApp(platform, false);
      const body = JSON.stringify({ time_ms: 1, events: [] });
      const res = await post(`${url}/broadcasting/webhooks`, body, signed(body));
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({
        message:
          'BroadcastWebhookModule needs the raw request body to check X-Pusher-Signature: create ' +
          'the app with NestFactory.create(AppModule, { rawBody: true }) (Express and Fastify alike).',
      });
    });
  },
);
