import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BroadcastMessages } from './broadcast-messages.js';
import type { Broadcaster } from '../drivers/broadcaster.interface.js';
import { BroadcastManager } from './broadcast-manager.js';
import type { SendArguments } from './send-arguments.js';
import type { BroadcastEventOptions } from './dispatch.interface.js';
import type {
  BroadcastMessage,
  ContractSendOptions,
  PendingBroadcast,
} from './direct-broadcast.interface.js';
import type { EventContract, ParamsOf, PayloadInput } from '../contract/event-contract.js';
import type { ShouldBroadcast } from '../events/should-broadcast.interface.js';

let bound: BroadcastManager | undefined;

function manager(): BroadcastManager {
  if (!bound) {
    throw new Error(BroadcastMessages.facadeUnbound());
  }
  return bound;
}

/**
 * Static access to the app's {@link BroadcastManager}, for code that has no injector
 * (entities, scripts). Bound when the app initializes, unbound when it shuts down.
 */
export class Broadcast {
  static send(message: BroadcastMessage): Promise<void>;
  /** Sends an event contract's event: `Broadcast.send(OrderShipped, { orderId }, payload)`. */
  static send<E extends EventContract>(
    event: E,
    params: ParamsOf<E>,
    payload: PayloadInput<E>,
    options?: ContractSendOptions,
  ): Promise<void>;
  static send(...args: SendArguments): Promise<void> {
    return manager().send(...(args as [never]));
  }

  static event(event: ShouldBroadcast, options?: string | BroadcastEventOptions): Promise<void> {
    return manager().event(event, options);
  }

  static connection(name?: string): Broadcaster {
    return manager().connection(name);
  }

  static driver(name?: string): Broadcaster {
    return manager().driver(name);
  }

  static toOthers(socketId?: string): PendingBroadcast {
    return manager().toOthers(socketId);
  }

  /** Binds the facade; `undefined` unbinds it. */
  static setManager(next: BroadcastManager | undefined): void {
    bound = next;
  }

  /** The bound manager; throws when none is bound. */
  static getManager(): BroadcastManager {
    return manager();
  }

  /** Whether a manager is bound. */
  static isBound(): boolean {
    return bound !== undefined;
  }
}

/** Binds the facade to the module's manager (or the fake that overrides it) for the app's lifetime. */
@Injectable()
export class BroadcastFacadeBinder implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(BroadcastManager) private readonly manager: BroadcastManager) {}

  onModuleInit(): void {
    Broadcast.setManager(this.manager);
  }

  onApplicationShutdown(): void {
    // Another app may have bound its own manager since; leave that one alone.
    if (Broadcast.isBound() && Broadcast.getManager() === this.manager)
      Broadcast.setManager(undefined);
  }
}
