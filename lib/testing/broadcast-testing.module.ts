import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { BroadcastFacadeBinder } from '../core/broadcast.facade.js';
import { BroadcastManager } from '../core/broadcast-manager.js';
import { defaultBroadcastConfig } from '../config/default-config.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from '../constants.js';
import { SocketIdMiddleware } from '../core/socket-id.middleware.js';
import { EventEmitterBridge } from '../events/event-emitter.bridge.js';
import { BroadcasterFake } from './broadcaster.fake.js';
import { FakeBroadcastManager } from './fake-broadcast-manager.js';

/**
 * Drop-in replacement for `BroadcastModule.forRoot()` in tests: the same providers, facade,
 * auto-broadcast and X-Socket-ID handling, with every broadcast recorded by a
 * {@link BroadcasterFake} (injectable as `BroadcasterFake`). Reads no file or env.
 */
@Module({})
export class BroadcastTestingModule implements NestModule {
  static forRoot(fake: BroadcasterFake = new BroadcasterFake()): DynamicModule {
    const config = defaultBroadcastConfig();
    return {
      module: BroadcastTestingModule,
      global: true,
      providers: [
        { provide: BroadcasterFake, useValue: fake },
        { provide: BROADCAST_MODULE_OPTIONS, useValue: {} },
        { provide: BROADCAST_CONFIG, useValue: config },
        { provide: BroadcastManager, useValue: new FakeBroadcastManager(fake, config) },
        BroadcastFacadeBinder,
        EventEmitterBridge,
      ],
      exports: [BroadcasterFake, BroadcastManager, BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SocketIdMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
