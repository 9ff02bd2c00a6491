import type { Broadcaster } from '../drivers/broadcaster.interface.js';
import { builtinDrivers } from '../drivers/driver-registry.js';
import type {
  BroadcasterFactory,
  BroadcastModuleOptions,
} from '../config/broadcast-options.interface.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import { BroadcastMessages } from './broadcast-messages.js';

/**
 * The manager's named connections, as Laravel's manager resolves them: built on first use
 * from their driver's factory, then cached until shutdown. Drivers are the built-in ones,
 * the `drivers` option and whatever `extend()` adds.
 */
export class BroadcastConnections {
  private readonly factories = new Map<string, BroadcasterFactory>();
  private readonly resolved = new Map<string, Broadcaster>();

  constructor(
    private readonly config: ResolvedBroadcastConfig,
    options: BroadcastModuleOptions,
  ) {
    for (const [name, factory] of Object.entries(
      builtinDrivers({ logPayload: options.logPayload }),
    ))
      this.factories.set(name, factory);
    for (const [name, factory] of Object.entries(options.drivers ?? {})) this.extend(name, factory);
  }

  /** The broadcaster of a connection (a key of `connections`, or a driver name), built once. */
  get(name: string): Broadcaster {
    const cached = this.resolved.get(name);
    if (cached) return cached;
    const options = this.config.connections?.[name] ?? { driver: name };
    const driver = options.driver;
    // Aliases (redis-pubsub) are registered by builtinDrivers under their own names.
    const factory = this.factories.get(driver);
    if (!factory)
      throw new BroadcastDriverError(
        BroadcastMessages.unknownConnection(name, driver, this.known()),
      );
    const broadcaster = factory({ ...options, name }, this.config);
    this.resolved.set(name, broadcaster);
    return broadcaster;
  }

  extend(driverName: string, factory: BroadcasterFactory): void {
    this.factories.set(driverName, factory);
  }

  /** Whether `get(name)` can build it, without building it (a queued job's names). */
  has(name: string): boolean {
    return this.resolved.has(name) || !!this.config.connections?.[name] || this.factories.has(name);
  }

  /** Every connection and driver name, for error messages. */
  known(): string[] {
    return [...new Set([...Object.keys(this.config.connections ?? {}), ...this.factories.keys()])];
  }

  /** Closes every connection built so far; the next `get()` builds anew. */
  async close(): Promise<void> {
    const broadcasters = [...this.resolved.values()];
    this.resolved.clear();
    await Promise.allSettled(broadcasters.map((broadcaster) => broadcaster.close?.()));
  }
}
