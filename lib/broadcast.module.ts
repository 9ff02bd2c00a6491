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
  createAsyncOptionsProviders,
  createBroadcastProviders,
} from './broadcast.providers.js';
import type {
  BroadcastModuleAsyncOptions,
  BroadcastModuleOptions,
} from './config/broadcast-options.interface.js';
import { BROADCAST_MODULE_OPTIONS } from './constants.js';
import { SocketIdMiddleware } from './core/socket-id.middleware.js';

/**
 * Broadcasting for a Nest app: `BroadcastManager`, the `Broadcast` facade, automatic
 * broadcasting of `@Broadcastable()` events emitted through EventEmitter2, the
 * X-Socket-ID middleware behind `toOthers()`, and channel authorization (`@ChannelAuth`,
 * `ChannelAuthorizer`, the auth endpoints). Global unless `global: false`.
 */
@Module({})
export class BroadcastModule implements NestModule {
  static forRoot(options: BroadcastModuleOptions = {}): DynamicModule {
    return {
      module: BroadcastModule,
      global: options.global ?? true,
      imports: [...broadcastModuleImports],
      providers: [
        { provide: BROADCAST_MODULE_OPTIONS, useValue: options },
        ...createBroadcastProviders(),
      ],
      exports: [...broadcastModuleExports],
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
      imports: [...broadcastModuleImports, ...(options.imports ?? [])],
      providers: [
        ...createAsyncOptionsProviders(options),
        ...(options.extraProviders ?? []),
        ...createBroadcastProviders(),
      ],
      exports: [...broadcastModuleExports],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SocketIdMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
