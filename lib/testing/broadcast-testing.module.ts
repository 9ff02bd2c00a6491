import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import {
  broadcastModuleExports,
  broadcastModuleImports,
  createBroadcastProviders,
} from '../broadcast.providers.js';
import { BroadcastManager } from '../core/broadcast-manager.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from '../constants.js';
import { SocketIdMiddleware } from '../core/socket-id.middleware.js';
import { BroadcasterFake } from './broadcaster.fake.js';
import { FakeBroadcastManager } from './fake-broadcast-manager.js';
import { testingBroadcastConfig, type BroadcastTestingOptions } from './testing-config.js';

/**
 * Drop-in replacement for `BroadcastModule.forRoot()` in tests: the same providers (built
 * by the same function), facade, auto-broadcast, X-Socket-ID handling and channel
 * authorization, with every broadcast recorded by a {@link BroadcasterFake} (injectable as
 * `BroadcasterFake`). Reads no file or env; signs with the fixed `TESTING_APP` credentials.
 */
@Module({})
export class BroadcastTestingModule implements NestModule {
  static forRoot(
    fake: BroadcasterFake = new BroadcasterFake(),
    options: BroadcastTestingOptions = {},
  ): DynamicModule {
    const config = testingBroadcastConfig(options);
    return {
      module: BroadcastTestingModule,
      global: true,
      imports: [...broadcastModuleImports],
      providers: [
        { provide: BroadcasterFake, useValue: fake },
        { provide: BROADCAST_MODULE_OPTIONS, useValue: {} },
        ...createBroadcastProviders({
          config: { provide: BROADCAST_CONFIG, useValue: config },
          manager: { provide: BroadcastManager, useValue: new FakeBroadcastManager(fake, config) },
        }),
      ],
      exports: [BroadcasterFake, ...broadcastModuleExports],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SocketIdMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
