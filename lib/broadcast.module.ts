import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { BroadcastAuthModule } from './auth/broadcast-auth.module.js';
import { createAsyncOptionsProviders, createBroadcastProviders } from './broadcast.providers.js';
import { BroadcastManager } from './core/broadcast-manager.js';
import type {
  BroadcastModuleAsyncOptions,
  BroadcastModuleOptions,
} from './config/broadcast-options.interface.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from './constants.js';
import { SocketIdMiddleware } from './core/socket-id.middleware.js';

const exported = [BroadcastManager, BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS];

/**
 * Broadcasting for a Nest app: `BroadcastManager`, the `Broadcast` facade, automatic
 * broadcasting of `@Broadcastable()` events emitted through EventEmitter2, and the
 * X-Socket-ID middleware behind `toOthers()`. Global unless `global: false`.
 */
@Module({
  // Internal modules mounted with every BroadcastModule (e.g. the auth endpoints).
  imports: [BroadcastAuthModule],
})
export class BroadcastModule implements NestModule {
  static forRoot(options: BroadcastModuleOptions = {}): DynamicModule {
    return {
      module: BroadcastModule,
      global: options.global ?? true,
      providers: [
        { provide: BROADCAST_MODULE_OPTIONS, useValue: options },
        ...createBroadcastProviders(),
      ],
      exports: exported,
    };
  }

  /**
   * Options from a factory, a class or an existing provider, e.g.
   * `forRootAsync(broadcastingConfig.asProvider())` with `@nestjs/config`'s `registerAs`.
   */
  static forRootAsync(options: BroadcastModuleAsyncOptions): DynamicModule {
    return {
      module: BroadcastModule,
      global: options.global ?? true,
      imports: options.imports ?? [],
      providers: [
        ...createAsyncOptionsProviders(options),
        ...(options.extraProviders ?? []),
        ...createBroadcastProviders(),
      ],
      exports: exported,
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SocketIdMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
