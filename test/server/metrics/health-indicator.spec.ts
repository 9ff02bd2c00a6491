import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BroadcastHealthIndicator } from 'nestjs-broadcasting/health';
import {
  BroadcastServerModule,
  type BroadcastServerModuleOptions,
} from 'nestjs-broadcasting/server';
import { uniquePrefix, waitFor } from '../support/broadcast-server-harness.js';
import { RedisProcess } from '../scaling/support/cluster-harness.js';
import { TEST_APP } from '../support/engine-harness.js';

/**
 * `BroadcastHealthIndicator` in a real Nest app with `TerminusModule`, answering GET /health
 * over HTTP, with and without Redis; Redis is a redis-server of the test's own, killed and
 * started again on the same port.
 */
let redis: RedisProcess;
beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(() => redis?.stop());

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function boot(server: BroadcastServerModuleOptions, key?: string): Promise<string> {
  @Controller('health')
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly broadcasting: BroadcastHealthIndicator,
    ) {}

    @Get()
    @HealthCheck()
    check() {
      return this.health.check([() => this.broadcasting.isHealthy(key)]);
    }
  }

  @Module({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      BroadcastServerModule.forRoot({
        apps: [TEST_APP],
        localHub: false,
        redis: false,
        logger: false,
        ...server,
      }),
    ],
    controllers: [HealthController],
    providers: [BroadcastHealthIndicator],
  })
  class AppModule {}

  app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/health`;
}

async function get(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('BroadcastHealthIndicator (@nestjs/terminus)', () => {
  it('is up when the server uses no Redis, and says so', async () => {
    const url = await boot({});
    expect(await get(url)).toEqual({
      status: 200,
      body: {
        status: 'ok',
        info: { broadcasting: { status: 'up', redis: 'not used' } },
        error: {},
        details: { broadcasting: { status: 'up', redis: 'not used' } },
      },
    });
  });

  it('reports under the key it is given', async () => {
    const url = await boot({}, 'websockets');
    expect((await get(url)).body.info).toEqual({
      websockets: { status: 'up', redis: 'not used' },
    });
  });

  it('goes down while Redis is lost and up again once it is back, naming each connection', async () => {
    const url = await boot({
      scaling: 'redis',
      redis: { url: redis.url, prefix: uniquePrefix('health') },
    });
    expect(await get(url)).toMatchObject({
      status: 200,
      body: {
        status: 'ok',
        info: {
          broadcasting: { status: 'up', redis: { scaling: 'connected', delivery: 'connected' } },
        },
      },
    });

    await redis.stop();
    const down = await waitFor(
      async () => {
        const answer = await get(url);
        return answer.status === 503 && answer;
      },
      20_000,
      'the health check to fail',
    );
    expect(down.body).toMatchObject({
      status: 'error',
      error: { broadcasting: { status: 'down', redis: { scaling: 'disconnected' } } },
    });

    await redis.start();
    const up = await waitFor(
      async () => {
        const answer = await get(url);
        return answer.status === 200 && answer;
      },
      30_000,
      'the health check to pass again',
    );
    expect(up.body.info.broadcasting).toEqual({
      status: 'up',
      redis: { scaling: 'connected', delivery: 'connected' },
    });
  }, 90_000);
});
