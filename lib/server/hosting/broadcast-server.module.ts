import { Module, type DynamicModule } from '@nestjs/common';
import type {
  BroadcastServerModuleAsyncOptions,
  BroadcastServerModuleOptions,
} from './broadcast-server-module-options.interface.js';
import { BROADCAST_SERVER_MODULE_OPTIONS } from './broadcast-server.constants.js';
import { BroadcastServer } from './broadcast-server.js';

/**
 * Runs the Pusher-protocol broadcast server inside a Nest app: on the app's own HTTP server
 * (Express or Fastify) unless a `port` is given. Works alongside `BroadcastModule`: its
 * `local` driver and its `redis` driver both reach this server's clients.
 */
@Module({})
export class BroadcastServerModule {
  static forRoot(options: BroadcastServerModuleOptions = {}): DynamicModule {
    return {
      module: BroadcastServerModule,
      providers: [{ provide: BROADCAST_SERVER_MODULE_OPTIONS, useValue: options }, BroadcastServer],
      exports: [BroadcastServer],
    };
  }

  static forRootAsync(options: BroadcastServerModuleAsyncOptions): DynamicModule {
    return {
      module: BroadcastServerModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: BROADCAST_SERVER_MODULE_OPTIONS,
          useFactory: options.useFactory,
          inject: options.inject ?? [],
        },
        BroadcastServer,
      ],
      exports: [BroadcastServer],
    };
  }
}
