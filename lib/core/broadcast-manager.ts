import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { Broadcaster, BroadcastSendOptions } from '../drivers/broadcaster.interface.js';
import { builtinDrivers } from '../drivers/driver-registry.js';
import { discardsBroadcasts } from '../drivers/null.broadcaster.js';
import {
  readsSerializedPayload,
  SERIALIZED_PAYLOAD,
  type InternalSendOptions,
} from '../drivers/serialized-payload.js';
import { channelNames, type ChannelLike } from './channel.js';
import type {
  BroadcasterFactory,
  BroadcastErrorContext,
  BroadcastModuleOptions,
} from '../config/broadcast-options.interface.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from '../constants.js';
import { currentSocketId } from './socket-id.context.js';
import { BroadcastMessages } from './broadcast-messages.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import { resolveBroadcastEvent } from '../events/broadcast-event.js';
import type { ShouldBroadcast } from '../events/should-broadcast.interface.js';
import {
  assertValidChannelName,
  isValidEventName,
  isValidSocketId,
} from '../shared/pusher-protocol/channel-names.js';
import { assertPayloadObject, serializePayload } from '../shared/json-payload.js';

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
  /** `JSON.stringify(payload)`, computed once and shared by the drivers that send it. */
  payloadJson?: string;
  exceptSocketId?: string;
  /** The connections' broadcasters, or why one of them (among `connection`) could not be built. */
  targets: Target[] | { error: unknown; connection: string };
}

/** A connection name and its broadcaster. */
type Target = [name: string, broadcaster: Broadcaster];

const NO_TARGETS: Target[] = [];

/** What broadcastDispatched returns when nothing is left to wait for. */
const DONE: Promise<void> = Promise.resolve();

/**
 * Sends broadcasts through named connections. Connections are built on first use and
 * cached; `extend()` adds drivers. Inject it, or use the static `Broadcast` facade.
 */
@Injectable()
export class BroadcastManager implements OnApplicationShutdown {
  private readonly logger = new Logger('Broadcast');
  private readonly factories = new Map<string, BroadcasterFactory>();
  private readonly resolved = new Map<string, Broadcaster>();
  /** `[[default, its broadcaster]]` once built; dropped with the connections on shutdown. */
  private defaultTargets?: Target[];

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
    // Aliases (redis-pubsub) are registered by builtinDrivers under their own names.
    const factory = this.factories.get(driver);
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
  broadcastDispatched(event: object, socketId: string | undefined): Promise<void> {
    return this.dispatchBroadcast(event, socketId) ?? DONE;
  }

  /**
   * {@link broadcastDispatched} for the EventEmitter2 hook: undefined when nothing is left to
   * wait for (the null driver, `broadcastWhen()` false, a reported error), so a dispatch pays
   * no promise turn for a broadcast that went nowhere.
   * @internal
   */
  dispatchBroadcast(event: object, socketId: string | undefined): Promise<void> | undefined {
    let prepared: PreparedBroadcast | undefined;
    try {
      prepared = this.prepareEvent(event as ShouldBroadcast, undefined, socketId);
    } catch (error) {
      const name = event.constructor?.name ?? 'event';
      this.report(error, { event: name, channels: [], connection: this.config.default });
      return undefined;
    }
    return prepared ? this.deliver(prepared, 'report') : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    const broadcasters = [...this.resolved.values()];
    this.resolved.clear();
    this.defaultTargets = undefined;
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
    // resolveBroadcastEvent already gives full channel names without duplicates.
    return this.prepareNamed(
      resolved.channels,
      resolved.event,
      resolved.payload,
      exceptSocketId ?? requestSocket,
      resolved.connections,
    );
  }

  private prepare(message: BroadcastMessage): PreparedBroadcast {
    return this.prepareNamed(
      channelNames(message.channels),
      message.event,
      message.payload,
      message.exceptSocketId,
      message.connection,
    );
  }

  /** Validates everything before any driver runs, so a bad message sends nothing anywhere. */
  private prepareNamed(
    channels: string[],
    event: string,
    payload: Record<string, unknown> = {},
    exceptSocketId: string | undefined,
    connection: string | string[] | undefined,
  ): PreparedBroadcast {
    for (const channel of channels) assertValidChannelName(channel);
    if (!isValidEventName(event)) {
      throw new BroadcastDriverError(BroadcastMessages.invalidEventName(event));
    }
    assertPayloadObject(event, payload);
    if (exceptSocketId !== undefined) this.assertSocketId(exceptSocketId);
    const connections =
      connection === undefined ? undefined : Array.isArray(connection) ? connection : [connection];
    // Resolve every connection first: an unknown name must not leave the others half sent.
    // Its error is raised by deliver(), after the payload check, as it always was.
    let targets: PreparedBroadcast['targets'] = NO_TARGETS;
    if (channels.length > 0) {
      try {
        targets = this.targets(connections);
      } catch (error) {
        targets = { error, connection: (connections ?? [this.config.default]).join(', ') };
      }
    }
    // Serialized even when only the null driver receives it: the default driver must report
    // a payload (BigInt, cycle) that redis or pusher would refuse, not hide it until production.
    return {
      channels,
      event,
      payload,
      payloadJson: serializePayload(event, payload),
      exceptSocketId,
      targets,
    };
  }

  /** The broadcasters of `connections` (the default connection when undefined). */
  private targets(connections: string[] | undefined): Target[] {
    if (connections === undefined) {
      // Most broadcasts use the default connection: build its one-entry list once.
      return (this.defaultTargets ??= [[this.config.default, this.connection()]]);
    }
    return connections.map((name): Target => [name, this.connection(name)]);
  }

  /**
   * Hands a prepared broadcast to its connections; undefined when none of them sends (no
   * channels, only the null driver). With `'throw'` it throws or rejects with the first
   * failure; with `'report'` it never does, each failure logged and given to onError.
   */
  private deliver(
    prepared: PreparedBroadcast,
    failures: 'throw' | 'report',
  ): Promise<void> | undefined {
    const { channels, event, payload, payloadJson, exceptSocketId, targets } = prepared;
    if (channels.length === 0) return undefined;
    if (!Array.isArray(targets)) {
      if (failures === 'throw') throw targets.error;
      this.report(targets.error, { event, channels, connection: targets.connection });
      return undefined;
    }
    const options: BroadcastSendOptions = exceptSocketId ? { exceptSocketId } : {};
    let withJson: InternalSendOptions | undefined;
    const sends: Array<[string, Promise<void>]> = [];
    for (const [name, broadcaster] of targets) {
      if (discardsBroadcasts(broadcaster)) continue;
      let sent: Promise<void>;
      try {
        if (readsSerializedPayload(broadcaster)) {
          withJson ??= { ...options, [SERIALIZED_PAYLOAD]: { payload, json: payloadJson } };
          sent = broadcaster.broadcast(channels, event, payload, withJson);
        } else {
          // Promise.resolve: a custom driver may return a plain value despite its type.
          sent = Promise.resolve(broadcaster.broadcast(channels, event, payload, options));
        }
      } catch (error) {
        sent = Promise.reject(error); // a driver that throws instead of rejecting
      }
      sends.push([name, sent]);
    }
    if (sends.length === 0) return undefined;
    if (sends.length === 1) {
      // One connection sends (the usual case): no allSettled bookkeeping.
      const [name, sent] = sends[0];
      if (failures === 'throw') return sent;
      return sent.then(undefined, (error: unknown) =>
        this.report(error, { event, channels, connection: name }),
      );
    }
    return Promise.allSettled(sends.map(([, sent]) => sent)).then((outcomes) => {
      outcomes.forEach((outcome, index) => {
        if (outcome.status === 'fulfilled') return;
        if (failures === 'throw') throw outcome.reason;
        this.report(outcome.reason, { event, channels, connection: sends[index][0] });
      });
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
