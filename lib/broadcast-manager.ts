import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { Broadcaster } from './broadcasters/broadcaster.interface.js';
import { builtinDrivers } from './broadcasters/builtin-drivers.js';
import { channelNames, type ChannelLike } from './channels/channel.js';
import type {
  BroadcasterFactory,
  BroadcastErrorContext,
  BroadcastModuleOptions,
} from './config/broadcast-options.interface.js';
import { DRIVER_ALIASES } from './config/resolve-config.js';
import type { ResolvedBroadcastConfig } from './config/resolved-config.interface.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from './constants.js';
import { currentSocketId } from './context/socket-id.context.js';
import { BroadcastMessages } from './broadcast-messages.js';
import { BroadcastDriverError } from './errors/broadcast.exception.js';
import { resolveBroadcastEvent } from './events/broadcast-event.js';
import type { ShouldBroadcast } from './events/should-broadcast.interface.js';
import {
  assertValidChannelName,
  isValidSocketId,
  MAX_CHANNEL_NAME_LENGTH,
} from './pusher-protocol/channel-names.js';
import { assertJsonPayload } from './support/json-payload.js';

/** One direct broadcast: `manager.send({ channels, event, payload })`. */
export interface BroadcastMessage {
  /** Channels (or full channel names) to publish on. */
  channels: ChannelLike | ChannelLike[];
  /** Event name the clients listen for. */
  event: string;
  /** JSON-serializable object. @default {} */
  payload?: Record<string, unknown>;
  /** Socket (`123.456`) that must not receive it, usually the sender's X-Socket-ID. */
  exceptSocketId?: string;
  /** Connection(s) to send through. @default the default connection */
  connection?: string | string[];
}

/** What `toOthers()` returns: `send` and `event` that exclude one socket. */
export interface PendingBroadcast {
  send(message: BroadcastMessage): Promise<void>;
  event(event: ShouldBroadcast): Promise<void>;
}

interface PreparedBroadcast {
  channels: string[];
  event: string;
  payload: Record<string, unknown>;
  exceptSocketId?: string;
  connections: string[];
}

/**
 * Sends broadcasts through named connections. Connections are built on first use and
 * cached; `extend()` adds drivers. Inject it, or use the static `Broadcast` facade.
 */
@Injectable()
export class BroadcastManager implements OnApplicationShutdown {
  private readonly logger = new Logger('Broadcast');
  private readonly factories = new Map<string, BroadcasterFactory>();
  private readonly resolved = new Map<string, Broadcaster>();

  constructor(
    @Inject(BROADCAST_CONFIG) readonly config: ResolvedBroadcastConfig,
    @Optional()
    @Inject(BROADCAST_MODULE_OPTIONS)
    private readonly options: BroadcastModuleOptions = {},
  ) {
    for (const [name, factory] of Object.entries(
      builtinDrivers({ logPayload: options?.logPayload }),
    )) {
      this.factories.set(name, factory);
    }
    for (const [name, factory] of Object.entries(options?.drivers ?? {}))
      this.extend(name, factory);
  }

  /** Name of the connection used when none is given. */
  getDefaultConnection(): string {
    return this.config.default;
  }

  /**
   * The broadcaster of a named connection (the default when omitted), built on first use.
   * A name is a key of `connections` or a driver name (a connection of that driver).
   */
  connection(name: string = this.config.default): Broadcaster {
    const cached = this.resolved.get(name);
    if (cached) return cached;
    const options = this.config.connections?.[name] ?? { driver: name };
    const driver = options.driver;
    const factory = this.factories.get(driver) ?? this.factories.get(DRIVER_ALIASES[driver] ?? '');
    if (!factory) {
      const known = [
        ...new Set([...Object.keys(this.config.connections ?? {}), ...this.factories.keys()]),
      ];
      throw new BroadcastDriverError(BroadcastMessages.unknownConnection(name, driver, known));
    }
    const broadcaster = factory({ ...options, name }, this.config);
    this.resolved.set(name, broadcaster);
    return broadcaster;
  }

  /** Alias of {@link connection}, the reference's wording. */
  driver(name?: string): Broadcaster {
    return this.connection(name);
  }

  /**
   * Registers a custom driver: connections whose `driver` is `driverName` (and the
   * connection named `driverName` itself) are built by `factory`. Replaces a built-in driver
   * of the same name; connections already built keep their broadcaster.
   */
  extend(driverName: string, factory: BroadcasterFactory): this {
    this.factories.set(driverName, factory);
    return this;
  }

  /** Publishes `event` with `payload` on `channels`. Rejects when the driver fails. */
  async send(message: BroadcastMessage): Promise<void> {
    await this.deliver(this.prepare(message), 'throw');
  }

  /** Broadcasts a {@link ShouldBroadcast} event now, whatever its listeners. */
  async event(event: ShouldBroadcast, exceptSocketId?: string): Promise<void> {
    const prepared = this.prepareEvent(event, exceptSocketId);
    if (prepared) await this.deliver(prepared, 'throw');
  }

  /**
   * A sender that excludes `socketId`, by default the X-Socket-ID of the HTTP request being
   * handled, so the tab that made the change is not told about it again.
   */
  toOthers(socketId?: string): PendingBroadcast {
    if (socketId !== undefined) this.assertSocketId(socketId);
    const except = socketId ?? currentSocketId();
    return {
      send: (message) =>
        this.send({ ...message, exceptSocketId: message.exceptSocketId ?? except }),
      event: (event) => this.event(event, except),
    };
  }

  /**
   * Broadcast after an EventEmitter2 dispatch: failures are logged and handed to `onError`,
   * never thrown, so they cannot break the code that emitted the event.
   * @internal
   */
  async broadcastDispatched(event: object, socketId: string | undefined): Promise<void> {
    let prepared: PreparedBroadcast | undefined;
    try {
      prepared = this.prepareEvent(event as ShouldBroadcast, undefined, socketId);
    } catch (error) {
      const name = event.constructor?.name ?? 'event';
      this.report(error, { event: name, channels: [], connection: this.config.default });
      return;
    }
    if (prepared) await this.deliver(prepared, 'report');
  }

  async onApplicationShutdown(): Promise<void> {
    const broadcasters = [...this.resolved.values()];
    this.resolved.clear();
    await Promise.allSettled(broadcasters.map((broadcaster) => broadcaster.close?.()));
  }

  private prepareEvent(
    event: ShouldBroadcast,
    exceptSocketId?: string,
    dispatchSocketId?: string,
  ): PreparedBroadcast | undefined {
    const resolved = resolveBroadcastEvent(event);
    if (!resolved) return undefined;
    const requestSocket = resolved.toOthers ? (dispatchSocketId ?? currentSocketId()) : undefined;
    return this.prepare({
      channels: resolved.channels,
      event: resolved.event,
      payload: resolved.payload,
      exceptSocketId: exceptSocketId ?? requestSocket,
      connection: resolved.connections,
    });
  }

  /** Validates everything before any driver runs, so a bad message sends nothing anywhere. */
  private prepare(message: BroadcastMessage): PreparedBroadcast {
    const channels = channelNames(message.channels);
    for (const channel of channels) assertValidChannelName(channel);
    const { event } = message;
    if (typeof event !== 'string' || event.length === 0 || event.length > MAX_CHANNEL_NAME_LENGTH) {
      throw new BroadcastDriverError(BroadcastMessages.invalidEventName(event));
    }
    const payload = message.payload ?? {};
    assertJsonPayload(event, payload);
    if (message.exceptSocketId !== undefined) this.assertSocketId(message.exceptSocketId);
    const connection = message.connection ?? this.config.default;
    return {
      channels,
      event,
      payload,
      exceptSocketId: message.exceptSocketId,
      connections: Array.isArray(connection) ? connection : [connection],
    };
  }

  private async deliver(prepared: PreparedBroadcast, failures: 'throw' | 'report'): Promise<void> {
    if (prepared.channels.length === 0) return;
    const { channels, event, payload, exceptSocketId } = prepared;
    // Resolve every connection first: an unknown name must not leave the others half sent.
    let targets: Array<[string, Broadcaster]>;
    try {
      targets = prepared.connections.map((name) => [name, this.connection(name)]);
    } catch (error) {
      if (failures === 'throw') throw error;
      this.report(error, { event, channels, connection: prepared.connections.join(', ') });
      return;
    }
    const options = exceptSocketId ? { exceptSocketId } : {};
    const outcomes = await Promise.allSettled(
      targets.map(([, broadcaster]) => broadcaster.broadcast(channels, event, payload, options)),
    );
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') return;
      if (failures === 'throw') throw outcome.reason;
      this.report(outcome.reason, { event, channels, connection: targets[index][0] });
    });
  }

  private report(error: unknown, context: BroadcastErrorContext): void {
    this.logger.error(
      BroadcastMessages.autoBroadcastFailed(
        context.event,
        context.channels,
        context.connection,
        error,
      ),
    );
    try {
      this.options?.onError?.(error, context);
    } catch (hookError) {
      this.logger.error(BroadcastMessages.onErrorThrew(hookError));
    }
  }

  private assertSocketId(socketId: string): void {
    if (!isValidSocketId(socketId)) {
      throw new BroadcastDriverError(BroadcastMessages.invalidSocketId(socketId));
    }
  }
}
