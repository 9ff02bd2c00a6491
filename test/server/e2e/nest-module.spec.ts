import {
  All,
  Controller,
  Get,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
  Injectable,
  Module,
  type CallHandler,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BroadcastServer,
  BroadcastServerModule,
  CloseCode,
  type BroadcastServerModuleOptions,
} from 'nestjs-broadcasting/server';
import { BroadcastManager, BroadcastModule } from 'nestjs-broadcasting';
import { RawClient } from '../support/engine-harness.js';
import {
  clientFor,
  HTTP_APP,
  record,
  serverSdk,
  subscribed,
  waitFor,
} from '../support/broadcast-server-harness.js';

/** What ran of Nest's pipeline; the broadcast paths must not appear here. */
const seenByNest: string[] = [];

@Injectable()
class RecordingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    seenByNest.push(`interceptor ${context.switchToHttp().getRequest().url}`);
    return next.handle();
  }
}

/** Refuses everything but /hello: were it on the broadcast paths, they would all be 403. */
@Injectable()
class DenyAllButHelloGuard implements CanActivate {
  canActivate(context: ExecutionContext) {
    const url: string = context.switchToHttp().getRequest().url;
    seenByNest.push(`guard ${url}`);
    return url.startsWith('/hello');
  }
}

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

/** Nest middleware for every route: it would see the broadcast paths if they went through Nest. */
@Injectable()
class RecordingMiddleware implements NestMiddleware {
  use(req: { url: string; originalUrl?: string }, _res: unknown, next: () => void) {
    seenByNest.push(`middleware ${req.originalUrl ?? req.url}`);
    next();
  }
}

/** A catch-all route, so without the broadcast server in front the guard would refuse /apps/... */
@Controller()
class CatchAllController {
  @All('*')
  any() {
    return { caughtByNest: true };
  }
}

@Module({
  controllers: [HelloController, CatchAllController],
  providers: [
    { provide: APP_GUARD, useClass: DenyAllButHelloGuard },
    { provide: APP_INTERCEPTOR, useClass: RecordingInterceptor },
  ],
})
class AppFeatureModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(RecordingMiddleware).forRoutes('*');
  }
}

const SERVER_OPTIONS: BroadcastServerModuleOptions = {
  apps: [HTTP_APP],
  localHub: false,
  redis: false,
  logger: false,
};

let app: INestApplication | undefined;
const clients: Array<{ disconnect(): void }> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await app?.close();
  app = undefined;
  seenByNest.length = 0;
});

async function boot(
  serverModule: ReturnType<typeof BroadcastServerModule.forRoot>,
  platform: 'express' | 'fastify' = 'express',
  extraImports: DynamicModule[] = [],
) {
  const moduleRef = await Test.createTestingModule({
    imports: [AppFeatureModule, serverModule, ...extraImports],
  }).compile();
  app =
    platform === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter())
      : moduleRef.createNestApplication();
  await app.listen(0, '127.0.0.1');
  if (platform === 'fastify')
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  const port = (app.getHttpServer().address() as { port: number }).port;
  return { port, url: `http://127.0.0.1:${port}` };
}

/** pusher-js on the app's port receives an SDK trigger sent to the app's port. */
async function roundTrip(target: { port: number }) {
  const client = clientFor(target);
  clients.push(client);
  const got = record(await subscribed(client, 'private-orders.1'), 'order.shipped');
  const res = await serverSdk(target).trigger('private-orders.1', 'order.shipped', { id: 1 });
  expect(res.status).toBe(200);
  await waitFor(() => got.length === 1);
  expect(got).toEqual([{ id: 1 }]);
}

describe.each(['express', 'fastify'] as const)(
  'BroadcastServerModule on the %s app server',
  (platform) => {
    it('serves WebSockets and the HTTP API on the app port, outside Nest guards and interceptors', async () => {
      const target = await boot(BroadcastServerModule.forRoot(SERVER_OPTIONS), platform);

      await roundTrip(target);
      const channels = await serverSdk(target).get({ path: '/channels' });
      expect(await channels.json()).toEqual({ channels: { 'private-orders.1': {} } });
      expect((await fetch(`${target.url}/up`)).status).toBe(200);

      expect(seenByNest).toEqual([]);
    });

    it("leaves the app's own routes to Nest", async () => {
      const target = await boot(BroadcastServerModule.forRoot(SERVER_OPTIONS), platform);
      const hello = await fetch(`${target.url}/hello`);
      expect(await hello.json()).toEqual({ hello: 'world' });
      expect((await fetch(`${target.url}/other`)).status).toBe(403); // the app's guard ran
      // /apps/{id} of an id the server does not serve stays the app's route.
      expect((await fetch(`${target.url}/apps/not-a-broadcast-app/x`)).status).toBe(403);
      expect(seenByNest).toEqual(
        expect.arrayContaining([
          'guard /hello',
          'middleware /other',
          'guard /other',
          'guard /apps/not-a-broadcast-app/x',
        ]),
      );
    });

    it('closes its sockets with 4200 when the app closes', async () => {
      const target = await boot(BroadcastServerModule.forRoot(SERVER_OPTIONS), platform);
      const raw = await RawClient.connect(
        `ws://127.0.0.1:${target.port}/app/${HTTP_APP.key}?protocol=7`,
      );
      await app!.close();
      app = undefined;
      expect(await raw.closed()).toBe(CloseCode.SERVER_CLOSING);
    });
  },
);

describe('BroadcastServerModule with its own port', () => {
  it('listens on `port` and leaves the app server alone', async () => {
    const target = await boot(
      BroadcastServerModule.forRoot({ ...SERVER_OPTIONS, port: 0, host: '127.0.0.1' }),
    );
    const server = app!.get(BroadcastServer);
    const own = new URL(server.url!);
    expect(Number(own.port)).not.toBe(target.port);

    await roundTrip({ port: Number(own.port) });
    expect((await fetch(`${target.url}/up`)).status).toBe(403); // Nest's guard: not the broadcast server
    expect(seenByNest).toContain('guard /up');
    await app!.close();
    app = undefined;
    await expect(fetch(`${server.url}/up`)).rejects.toThrow();
  });
});

describe('BroadcastServerModule with BroadcastModule (local driver)', () => {
  it('takes the app from BroadcastModule and delivers what BroadcastManager sends', async () => {
    const target = await boot(BroadcastServerModule.forRoot({ logger: false }), 'express', [
      BroadcastModule.forRoot({ default: 'local', app: HTTP_APP }),
    ]);
    const client = clientFor(target);
    clients.push(client);
    const got = record(await subscribed(client, 'private-orders.2'), 'order.shipped');

    await app!.get(BroadcastManager).send({
      channels: ['private-orders.2'],
      event: 'order.shipped',
      payload: { id: 2 },
    });

    await waitFor(() => got.length === 1);
    expect(got).toEqual([{ id: 2 }]);
  });
});

describe('BroadcastServerModule without an HTTP app', () => {
  it('listens on the configured host and port of its own', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRoot({ app: HTTP_APP, server: { host: '127.0.0.1', port: 0 } }),
        BroadcastServerModule.forRoot({ logger: false, localHub: false }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const server = moduleRef.get(BroadcastServer);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await roundTrip({ port: Number(new URL(server.url!).port) });
    } finally {
      await moduleRef.close();
    }
  });
});

describe('BroadcastServerModule.forRootAsync', () => {
  it('builds its options from injected providers', async () => {
    const SETTINGS = Symbol('settings');
    @Module({
      providers: [{ provide: SETTINGS, useValue: { app: HTTP_APP } }],
      exports: [SETTINGS],
    })
    class SettingsModule {}
    const target = await boot(
      BroadcastServerModule.forRootAsync({
        imports: [SettingsModule],
        inject: [SETTINGS],
        useFactory: (settings: { app: typeof HTTP_APP }) => ({
          ...SERVER_OPTIONS,
          apps: [settings.app],
        }),
      }),
    );
    await roundTrip(target);
    expect(app!.get(BroadcastServer).engine.apps.byId(HTTP_APP.id)).toBeDefined();
  });
});
