import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { Broadcaster, PreparedBroadcast } from '../drivers/broadcaster.interface.js';
import { builtinDrivers } from '../drivers/driver-registry.js';
import type {
  BroadcastMessage,
  ContractSendOptions,
  PendingBroadcast,
} from './direct-broadcast.interface.js';
import type { EventContract, ParamsOf, PayloadInput } from '../contract/event-contract.js';
import { deliverValidated } from './contract-payload.js';
import { excluding, prepareSend, type SendArguments } from './send-arguments.js';
import { assertSocketId, prepareBroadcast } from './prepare-broadcast.js';
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

/** A connection name and its broadcaster. */
type Target = [name: string, broadcaster: Broadcaster];

/** One or more connection names; undefined means the default connection. */
type Connections = string | string[] | undefined;

/**
 * What a driver failure does: `send()` and `event()` reject with it; an auto-broadcast
 * (after an EventEmitter2 dispatch) reports it, since no caller is waiting for it.
 */
type OnFailure = 'reject' | 'report';

/**
 * Sends broadcasts through named connections. Connections are built on first use and
 * cached; `extend()` adds drivers. Inject it, or use the static `Broadcast` facade.
 *
 * Every broadcast takes one path, like Laravel's `event()` → `BroadcastEvent::handle` →
 * driver: resolve the event ({@link resolveBroadcastEvent}), prepare the message
 * ({@link prepareBroadcast}: validated, payload serialized once), deliver it to each
 * connection. Only the end differs: `send()` and `event()` reject, an auto-broadcast reports.
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
  send(message: BroadcastMessage): Promise<void>;
  /** Publishes a contract's event; a schema in the contract validates the payload first. */
  send<E extends EventContract>(
    event: E,
    params: ParamsOf<E>,
    payload: PayloadInput<E>,
    options?: ContractSendOptions,
  ): Promise<void>;
  async send(...args: SendArguments): Promise<void> {
    const { prepared, connection } = await prepareSend(args);
    await this.deliver(prepared, connection, 'reject');
  }

  /** Broadcasts a {@link ShouldBroadcast} event now, whatever its listeners. */
  async event(event: ShouldBroadcast, exceptSocketId?: string): Promise<void> {
    await this.deliverEvent(event, exceptSocketId, undefined, 'reject');
  }

  /**
   * A sender that excludes `socketId`, by default the X-Socket-ID of the HTTP request being
   * handled, so the tab that made the change is not told about it again.
   */
  toOthers(socketId?: string): PendingBroadcast {
    if (socketId !== undefined) assertSocketId(socketId);
    const except = socketId ?? currentSocketId();
    const send = (...args: SendArguments) => this.send(...(excluding(args, except) as [never]));
    return { send: send as PendingBroadcast['send'], event: (event) => this.event(event, except) };
  }

  /**
   * Broadcasts an event after its EventEmitter2 listeners succeeded. `socketId` is the
   * X-Socket-ID of the request that emitted it, for `@Broadcastable({ toOthers: true })`.
   * Never rejects: failures are logged and handed to `onError`, so they cannot break the
   * code that emitted the event. Undefined when nothing is left to wait for, so a dispatch
   * whose broadcast went nowhere (the null driver, `broadcastWhen()` false) pays no promise
   * turn for it.
   * @internal
   */
  broadcastDispatched(event: object, socketId: string | undefined): Promise<void> | undefined {
    try {
      return this.deliverEvent(event as ShouldBroadcast, undefined, socketId, 'report');
    } catch (error) {
      // Reading or validating the event failed, before any channel was known.
      const name = event.constructor?.name ?? 'event';
      this.report(error, { event: name, channels: [], connection: this.config.default });
      return undefined;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const broadcasters = [...this.resolved.values()];
    this.resolved.clear();
    this.defaultTargets = undefined;
    await Promise.allSettled(broadcasters.map((broadcaster) => broadcaster.close?.()));
  }

  /**
   * Resolves a {@link ShouldBroadcast} event and delivers it. `exceptSocketId` is excluded in
   * any case; the request's socket (`requestSocketId`, else the current request's) only when
   * the event is `@Broadcastable({ toOthers: true })`.
   */
  private deliverEvent(
    event: ShouldBroadcast,
    exceptSocketId: string | undefined,
    requestSocketId: string | undefined,
    onFailure: OnFailure,
  ): Promise<void> | undefined {
    const resolved = resolveBroadcastEvent(event);
    if (!resolved) return undefined; // broadcastWhen() said no
    const except =
      exceptSocketId ?? (resolved.toOthers ? (requestSocketId ?? currentSocketId()) : undefined);
    const { channels, event: name, connections } = resolved;
    // resolveBroadcastEvent already gives full channel names without duplicates.
    if (!resolved.contract)
      return this.deliver(
        prepareBroadcast(channels, name, resolved.payload, except),
        connections,
        onFailure,
      );
    // A contract's schema runs before any driver; only an async one costs a promise turn.
    return deliverValidated(
      resolved.contract,
      resolved.payload,
      (payload) =>
        this.deliver(prepareBroadcast(channels, name, payload, except), connections, onFailure),
      (error) =>
        this.failed(error, resolved, connections?.join(', ') ?? this.config.default, onFailure),
    );
  }

  /**
   * Hands a prepared broadcast to its connections. Every connection is resolved before any
   * sends, so an unknown name does not leave the others half sent. With `'reject'` it throws
   * or rejects with the first failure; with `'report'` it never does, each failure logged
   * and given to onError. Undefined when nothing is left to wait for (no channels, a driver
   * that finished synchronously, a failure already reported).
   */
  private deliver(
    message: PreparedBroadcast,
    connections: Connections,
    onFailure: OnFailure,
  ): Promise<void> | undefined {
    if (message.channels.length === 0) return undefined;
    let targets: Target[];
    try {
      targets = this.targets(connections);
    } catch (error) {
      const names = Array.isArray(connections)
        ? connections.join(', ')
        : (connections ?? this.config.default);
      return this.failed(error, message, names, onFailure);
    }
    if (targets.length === 1) {
      // One connection (the usual case): no allSettled bookkeeping.
      const [name, broadcaster] = targets[0];
      const sent = this.handTo(broadcaster, message);
      if (sent === undefined || onFailure === 'reject') return sent;
      return sent.then(undefined, (error: unknown) => this.failed(error, message, name, onFailure));
    }
    const sends = targets.map(([, broadcaster]) => this.handTo(broadcaster, message));
    return Promise.allSettled(sends).then((outcomes) => {
      outcomes.forEach((outcome, index) => {
        if (outcome.status === 'rejected') {
          this.failed(outcome.reason, message, targets[index][0], onFailure);
        }
      });
    });
  }

  /** The broadcasters of `connections` (the default connection when undefined). */
  private targets(connections: Connections): Target[] {
    if (connections === undefined) {
      // Most broadcasts use the default connection: build its one-entry list once.
      return (this.defaultTargets ??= [[this.config.default, this.connection()]]);
    }
    if (!Array.isArray(connections)) return [[connections, this.connection(connections)]];
    return connections.map((name): Target => [name, this.connection(name)]);
  }

  /**
   * One driver call: the prepared message to a driver with `broadcastPrepared` (undefined
   * when it finished synchronously), the public arguments, and nothing more, to any other.
   * A driver that throws, or returns a plain value despite its type, still gives a promise.
   */
  private handTo(broadcaster: Broadcaster, message: PreparedBroadcast): Promise<void> | undefined {
    try {
      if (broadcaster.broadcastPrepared) {
        const sent = broadcaster.broadcastPrepared(message);
        return sent === undefined ? undefined : Promise.resolve(sent);
      }
      const { channels, event, payload, exceptSocketId } = message;
      const options = exceptSocketId ? { exceptSocketId } : {};
      return Promise.resolve(broadcaster.broadcast(channels, event, payload, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Throws `error`, or reports it, as `onFailure` says. */
  private failed(
    error: unknown,
    message: Pick<PreparedBroadcast, 'event' | 'channels'>,
    connection: string,
    onFailure: OnFailure,
  ): undefined {
    if (onFailure === 'reject') throw error;
    this.report(error, { event: message.event, channels: message.channels, connection });
    return undefined;
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
}
