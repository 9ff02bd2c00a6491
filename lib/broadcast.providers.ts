import type { Provider } from '@nestjs/common';
import { BroadcastFacadeBinder } from './core/broadcast.facade.js';
import { BroadcastMessages } from './core/broadcast-messages.js';
import { BroadcastConfigError } from './errors/broadcast.exception.js';
import { BroadcastManager } from './core/broadcast-manager.js';
import type {
  BroadcastModuleAsyncOptions,
  BroadcastModuleOptions,
  BroadcastOptionsFactory,
} from './config/broadcast-options.interface.js';
import { resolveBroadcastConfig } from './config/resolve-config.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from './constants.js';
import { EventEmitterBridge } from './events/event-emitter.bridge.js';

/** What BroadcastModule provides once its options are known (both forRoot and forRootAsync). */
export function createBroadcastProviders(): Provider[] {
  return [
    {
      provide: BROADCAST_CONFIG,
      // Async because the config file may be an ES module; a bad value fails the boot here.
      useFactory: (options: BroadcastModuleOptions) => resolveBroadcastConfig(options),
      inject: [BROADCAST_MODULE_OPTIONS],
    },
    BroadcastManager,
    BroadcastFacadeBinder,
    EventEmitterBridge,
  ];
}

/** The BROADCAST_MODULE_OPTIONS provider(s) of forRootAsync. */
export function createAsyncOptionsProviders(options: BroadcastModuleAsyncOptions): Provider[] {
  if (options.useFactory) {
    return [
      {
        provide: BROADCAST_MODULE_OPTIONS,
        useFactory: async (...args: unknown[]) => (await options.useFactory!(...args)) ?? {},
        inject: options.inject ?? [],
      },
    ];
  }
  const factoryToken = options.useClass ?? options.useExisting;
  if (!factoryToken) {
    throw new BroadcastConfigError(BroadcastMessages.asyncOptionsMissing(), 'forRootAsync');
  }
  const providers: Provider[] = [
    {
      provide: BROADCAST_MODULE_OPTIONS,
      useFactory: async (factory: BroadcastOptionsFactory) =>
        (await factory.createBroadcastOptions()) ?? {},
      inject: [factoryToken],
    },
  ];
  if (options.useClass) providers.push({ provide: options.useClass, useClass: options.useClass });
  return providers;
}
