import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  BROADCAST_CONFIG,
  BROADCAST_MODULE_OPTIONS,
  Broadcast,
  BroadcastConfigError,
  BroadcastManager,
  BroadcastModule,
  type BroadcastModuleOptions,
  type BroadcastOptionsFactory,
  type ResolvedBroadcastConfig,
} from 'nestjs-broadcasting';
import { BroadcasterFake } from 'nestjs-broadcasting/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { OrderShipped } from '../fixtures/core/order-shipped.event.js';

let app: TestingModule | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  Broadcast.setManager(undefined);
});

/** A provider in a feature module that did not import BroadcastModule. */
@Injectable()
class OrdersService {
  constructor(
    readonly manager: BroadcastManager,
    @Inject(BROADCAST_CONFIG) readonly config: ResolvedBroadcastConfig,
    @Inject(BROADCAST_MODULE_OPTIONS) readonly options: BroadcastModuleOptions,
  ) {}
}

@Module({ providers: [OrdersService], exports: [OrdersService] })
class OrdersModule {}

describe('BroadcastModule.forRoot', () => {
  it('is global: a feature module injects BroadcastManager, BROADCAST_CONFIG and the raw options', async () => {
    const options = { default: 'log', redis: { prefix: 'shop:' } };
    app = await Test.createTestingModule({
      imports: [BroadcastModule.forRoot(options), OrdersModule],
    }).compile();
    const service = app.get(OrdersService);
    expect(service.manager).toBeInstanceOf(BroadcastManager);
    expect(service.config.default).toBe('log');
    expect(service.config.redis.prefix).toBe('shop:');
    expect(service.config.sources['redis.prefix']).toBe('option');
    expect(service.options).toBe(options);
  });

  it('with global: false, only importers see it', async () => {
    const compiling = Test.createTestingModule({
      imports: [BroadcastModule.forRoot({ global: false }), OrdersModule],
    }).compile();
    await expect(compiling).rejects.toThrow(/resolve dependencies of the OrdersService/);
  });

  it('binds the Broadcast facade on init and unbinds it on shutdown', async () => {
    const fake = new BroadcasterFake();
    app = await Test.createTestingModule({
      imports: [BroadcastModule.forRoot({ default: 'rec', drivers: { rec: () => fake } })],
    }).compile();
    expect(() => Broadcast.getManager()).toThrow(
      'The Broadcast facade is not bound: import BroadcastModule.forRoot() (or BroadcastTestingModule.forRoot() in tests) in your root module',
    );
    await app.init();
    expect(Broadcast.getManager()).toBe(app.get(BroadcastManager));

    await Broadcast.send({
      channels: ['orders.1'],
      event: 'order.shipped',
      payload: { order_id: 1 },
    });
    await Broadcast.event(new OrderShipped(2));
    expect(Broadcast.connection()).toBe(fake);
    expect(fake.calls.map((c) => [c.channels, c.event, c.payload])).toEqual([
      [['orders.1'], 'order.shipped', { order_id: 1 }],
      [['private-orders.2'], 'order.shipped', { order_id: 2 }],
    ]);

    await app.close();
    app = undefined;
    expect(() => Broadcast.send({ channels: 'a', event: 'e' })).toThrow(
      'BroadcastModule.forRoot()',
    );
  });

  it('fails at boot with BroadcastConfigError on bad configuration', async () => {
    const compiling = Test.createTestingModule({
      imports: [BroadcastModule.forRoot({ default: 'pusher', app: { id: '1', key: 'k' } })],
    }).compile();
    await expect(compiling).rejects.toBeInstanceOf(BroadcastConfigError);
  });
});

describe('BroadcastModule.forRootAsync', () => {
  it('useFactory with inject and imports', async () => {
    const TOKEN = 'PREFIX';
    @Module({ providers: [{ provide: TOKEN, useValue: 'async:' }], exports: [TOKEN] })
    class PrefixModule {}
    app = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRootAsync({
          imports: [PrefixModule],
          inject: [TOKEN],
          useFactory: async (prefix: string) => ({ redis: { prefix } }),
        }),
        OrdersModule,
      ],
    }).compile();
    expect(app.get(OrdersService).config.redis.prefix).toBe('async:');
  });

  it("accepts @nestjs/config's registerAs(...).asProvider()", async () => {
    const broadcastingConfig = registerAs('broadcasting', () => ({
      default: 'local',
      server: { port: 6123 },
    }));
    app = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        BroadcastModule.forRootAsync(broadcastingConfig.asProvider()),
      ],
    }).compile();
    const config = app.get<ResolvedBroadcastConfig>(BROADCAST_CONFIG);
    expect(config.default).toBe('local');
    expect(config.server.port).toBe(6123);
  });

  it('useClass with extraProviders', async () => {
    const LABEL = 'LABEL';
    @Injectable()
    class OptionsFactory implements BroadcastOptionsFactory {
      constructor(@Inject(LABEL) private readonly label: string) {}
      createBroadcastOptions(): BroadcastModuleOptions {
        return { redis: { prefix: this.label } };
      }
    }
    app = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRootAsync({
          useClass: OptionsFactory,
          extraProviders: [{ provide: LABEL, useValue: 'cls:' }],
        }),
      ],
    }).compile();
    expect(app.get<ResolvedBroadcastConfig>(BROADCAST_CONFIG).redis.prefix).toBe('cls:');
  });

  it('useExisting reuses a provider from an imported module', async () => {
    @Injectable()
    class SharedOptions implements BroadcastOptionsFactory {
      createBroadcastOptions() {
        return { authEndpoint: '/api/broadcasting/auth' };
      }
    }
    @Module({ providers: [SharedOptions], exports: [SharedOptions] })
    class SharedModule {}
    app = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRootAsync({ imports: [SharedModule], useExisting: SharedOptions }),
      ],
    }).compile();
    expect(app.get<ResolvedBroadcastConfig>(BROADCAST_CONFIG).authEndpoint).toBe(
      '/api/broadcasting/auth',
    );
  });

  it('without useFactory, useClass or useExisting says what is missing', () => {
    expect(() => BroadcastModule.forRootAsync({})).toThrow(
      'needs one of useFactory, useClass or useExisting',
    );
    expect(() => BroadcastModule.forRootAsync({})).toThrow(BroadcastConfigError);
  });
});
