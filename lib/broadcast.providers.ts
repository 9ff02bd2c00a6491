import type { Provider } from '@nestjs/common';
import {
  broadcastAuthExports,
  broadcastAuthImports,
  broadcastAuthProviders,
} from './auth/broadcast-auth.providers.js';
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
import { BroadcastQueueHost } from './queue/broadcast-queue.host.js';

/**
 * The two providers in which BroadcastModule and BroadcastTestingModule differ: the first
 * resolves the configuration cascade and builds the real manager, the second gives fixed
 * defaults and a manager whose every connection is the fake.
 */
export interface BroadcastCoreProviders {
  /** Provides `BROADCAST_CONFIG`. */
  config: Provider;
  /** Provides `BroadcastManager`. */
  manager: Provider;
}

const resolvedCore: BroadcastCoreProviders = {
  config: {
    provide: BROADCAST_CONFIG,
    // Async because the config file may be an ES module; a bad value fails the boot here.
    useFactory: (options: BroadcastModuleOptions) => resolveBroadcastConfig(options),
    inject: [BROADCAST_MODULE_OPTIONS],
  },
  manager: BroadcastManager,
};

/**
 * Every provider of a broadcasting module besides `BROADCAST_MODULE_OPTIONS`: one list for
 * BroadcastModule (forRoot and forRootAsync) and BroadcastTestingModule, so the test double
 * cannot drift from the real wiring. Channel authorization sits in the same module as the
 * config it reads, so it injects it whether or not the module is global.
 */
export function createBroadcastProviders(core: BroadcastCoreProviders = resolvedCore): Provider[] {
  return [
    core.config,
    core.manager,
    BroadcastFacadeBinder,
    EventEmitterBridge,
    BroadcastQueueHost,
    ...broadcastAuthProviders,
  ];
}

/** What every broadcasting module imports. */
export const broadcastModuleImports = [...broadcastAuthImports];

/** What every broadcasting module exports (to the whole app when global). */
export const broadcastModuleExports = [
  BroadcastManager,
  BROADCAST_CONFIG,
  BROADCAST_MODULE_OPTIONS,
  ...broadcastAuthExports,
];

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
