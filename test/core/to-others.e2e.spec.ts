import {
  Body,
  Controller,
  Get,
  Headers,
  Inject,
  Module,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { BroadcastManager } from 'nestjs-broadcasting';
import { BroadcasterFake, BroadcastTestingModule } from 'nestjs-broadcasting/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { CommentPosted, InvoicePaid } from '../fixtures/core/order-shipped.event.js';

@Controller('comments')
class CommentsController {
  constructor(
    @Inject(BroadcastManager) private readonly broadcasts: BroadcastManager,
    @Inject(EventEmitter2) private readonly events: EventEmitter2,
  ) {}

  /** Direct send, after an await so the socket id must survive async hops. */
  @Post()
  async create(@Body() body: { text: string }): Promise<{ ok: true }> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await this.broadcasts
      .toOthers()
      .send({ channels: 'comments', event: 'comment.created', payload: body });
    return { ok: true };
  }

  /** A @Broadcastable({ toOthers: true }) event dispatched through EventEmitter2. */
  @Post('event')
  async emit(@Body() body: { text: string }): Promise<{ ok: true }> {
    await this.events.emitAsync('comment.posted', new CommentPosted(body.text));
    return { ok: true };
  }

  /** Without toOthers nothing is excluded even when the header is present. */
  @Get('everyone')
  async everyone(@Headers('x-socket-id') _socket: string): Promise<{ ok: true }> {
    await this.broadcasts.send({ channels: 'invoices', event: 'invoice.paid', payload: {} });
    await this.events.emitAsync('invoice.paid', new InvoicePaid(1, 2));
    return { ok: true };
  }
}

function appModule(fake: BroadcasterFake) {
  @Module({
    imports: [EventEmitterModule.forRoot(), BroadcastTestingModule.forRoot(fake)],
    controllers: [CommentsController],
  })
  class AppModule {}
  return AppModule;
}

const platforms = {
  express: async (fake: BroadcasterFake) => {
    const moduleRef = await Test.createTestingModule({ imports: [appModule(fake)] }).compile();
    return moduleRef.createNestApplication({ logger: false });
  },
  fastify: async (fake: BroadcasterFake) => {
    const moduleRef = await Test.createTestingModule({ imports: [appModule(fake)] }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
    return app;
  },
};

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

for (const [platform, create] of Object.entries(platforms)) {
  describe(`toOthers on ${platform}`, () => {
    async function start() {
      const fake = new BroadcasterFake();
      app = await create(fake);
      await app.listen(0, '127.0.0.1');
      const base = await app.getUrl();
      const request = (path: string, init: RequestInit & { socket?: string } = {}) =>
        fetch(base.replace('[::1]', '127.0.0.1') + path, {
          ...init,
          headers: {
            'content-type': 'application/json',
            ...(init.socket === undefined ? {} : { 'x-socket-id': init.socket }),
          },
        });
      return { fake, request };
    }

    it('manager.toOthers() excludes the X-Socket-ID of the request', async () => {
      const { fake, request } = await start();
      const response = await request('/comments', {
        method: 'POST',
        body: '{"text":"hi"}',
        socket: '1234.5678',
      });
      expect(response.status).toBe(201);
      expect(fake.calls).toEqual([
        {
          channels: ['comments'],
          event: 'comment.created',
          payload: { text: 'hi' },
          exceptSocketId: '1234.5678',
        },
      ]);
    });

    it('@Broadcastable({ toOthers: true }) excludes it when dispatched during the request', async () => {
      const { fake, request } = await start();
      await request('/comments/event', { method: 'POST', body: '{"text":"yo"}', socket: '42.7' });
      expect(fake.calls).toEqual([
        {
          channels: ['comments'],
          event: 'comment.posted',
          payload: { body: 'yo' },
          exceptSocketId: '42.7',
        },
      ]);
    });

    it('ignores a malformed X-Socket-ID', async () => {
      const { fake, request } = await start();
      const response = await request('/comments', {
        method: 'POST',
        body: '{"text":"x"}',
        socket: 'not-a-socket',
      });
      expect(response.status).toBe(201);
      expect(fake.calls[0].exceptSocketId).toBeUndefined();
    });

    it('excludes nobody without toOthers, and concurrent requests keep their own ids', async () => {
      const { fake, request } = await start();
      await request('/comments/everyone', { socket: '1.1' });
      expect(fake.calls.map((call) => call.exceptSocketId)).toEqual([undefined, undefined]);
      fake.reset();

      await Promise.all(
        ['10.1', '10.2', '10.3', '10.4'].map((socket) =>
          request('/comments', { method: 'POST', body: JSON.stringify({ text: socket }), socket }),
        ),
      );
      expect(fake.calls).toHaveLength(4);
      for (const call of fake.calls) expect(call.exceptSocketId).toBe(call.payload.text);
    });
  });
}

describe('toOthers outside a request', () => {
  it('excludes nothing without a request, and the socket given explicitly otherwise', async () => {
    const fake = new BroadcasterFake();
    const moduleRef = await Test.createTestingModule({
      imports: [BroadcastTestingModule.forRoot(fake)],
    }).compile();
    const manager = moduleRef.get(BroadcastManager);
    await manager.toOthers().send({ channels: 'a', event: 'e' });
    await manager.toOthers('7.7').event(new InvoicePaid(1, 1));
    expect(fake.calls.map((call) => call.exceptSocketId)).toEqual([undefined, '7.7']);
    expect(() => manager.toOthers('nope')).toThrow('"nope" is not a socket id');
  });
});
