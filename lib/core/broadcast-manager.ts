import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { Broadcaster, PreparedBroadcast } from '../drivers/broadcaster.interface.js';
import { builtinDrivers } from '../drivers/driver-registry.js';
import type { BroadcastMessage, PendingBroadcast } from './direct-broadcast.interface.js';
import { channelNames } from './channel.js';
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
import { broadcastJob, type BroadcastJobData } from '../queue/broadcast-job.js';
import { BroadcastQueueProducer } from '../queue/broadcast-queue.producer.js';
import { queueNameOf, type QueueChoice } from '../queue/queue-choice.js';
import { QueueMessages } from '../queue/queue-messages.js';
import type { BroadcastTransactionHooks } from '../transactions/transaction-hooks.interface.js';

/** A connection name and its broadcaster. */
type Target = [name: string, broadcaster: Broadcaster];

/** One or more connection names; undefined means the default connection. */
type Connections = string | string[] | undefined;

/**
 * What a driver failure does: `send()` and `event()` reject with it; an auto-broadcast
 * (after an EventEmitter2 dispatch) reports it, since no caller is waiting for it.
 */
type OnFailure = 'reject' | 'report';

/** Per-call choices of `event()`: the socket to exclude, the queue, after-commit. */
export interface BroadcastEventOptions {
  /** Socket (`123.456`) that must not receive it. */
  exceptSocketId?: string;
  /** Queue it (true, or a queue name) or send it now (false), whatever the event says. */
  queue?: boolean | string;
  /** Hold it until the current database transaction commits, whatever the event says. */
  afterCommit?: boolean;
}

/** How one broadcast leaves once prepared: the queue it goes to, if any, and its origin. */
interface Dispatch {
  connections: Connections;
  queue: QueueChoice;
  afterCommit: boolean;
  /** The event object, for `failed()` and error messages; undefined for `send()`. */
  event?: object;
  onFailure: OnFailure;
  /** An emitAsync caller waits: a job Redis refused rejects toward it even when reported. */
  awaited?: boolean;
}

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
  private producer?: BroadcastQueueProducer;
  private readonly queueDefault: boolean;
  private readonly afterCommitDefault: boolean;
  private readonly transactions?: BroadcastTransactionHooks;
  private warnedAfterCommit = false;

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
    this.queueDefault = config.queue?.default ?? false;
    this.afterCommitDefault = config.afterCommit ?? false;
    this.transactions = options?.transactions;
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

  /**
   * Publishes `event` with `payload` on `channels` (or queues it, with `queue`). Rejects when
   * the driver fails, or when the queue does not take the job.
   */
  async send(message: BroadcastMessage): Promise<void> {
    const { channels, event, payload, exceptSocketId, connection } = message;
    const prepared = prepareBroadcast(channelNames(channels), event, payload, exceptSocketId);
    await this.dispatch(prepared, {
      connections: connection,
      queue: message.queue ?? false,
      afterCommit: message.afterCommit ?? false,
      onFailure: 'reject',
    });
  }

  /**
   * Broadcasts a {@link ShouldBroadcast} event, whatever its listeners: at once, or queued
   * when it (or `options.queue`) says so. The second argument may be the socket to exclude.
   */
  async event(event: ShouldBroadcast, options?: string | BroadcastEventOptions): Promise<void> {
    const choice = typeof options === 'string' ? { exceptSocketId: options } : (options ?? {});
    await this.deliverEvent(event, choice, undefined, 'reject');
  }

  /**
   * A sender that excludes `socketId`, by default the X-Socket-ID of the HTTP request being
   * handled, so the tab that made the change is not told about it again.
   */
  toOthers(socketId?: string): PendingBroadcast {
    if (socketId !== undefined) assertSocketId(socketId);
    const except = socketId ?? currentSocketId();
    return {
      send: (message) =>
        this.send({ ...message, exceptSocketId: message.exceptSocketId ?? except }),
      event: (event, options) => this.event(event, { ...options, exceptSocketId: except }),
    };
  }

  /**
   * Broadcasts an event after its EventEmitter2 listeners succeeded. `socketId` is the
   * X-Socket-ID of the request that emitted it, for `@Broadcastable({ toOthers: true })`.
   * Failures are logged and handed to `onError`, so they cannot break the code that emitted
   * the event; only a queued event that Redis would not take rejects, when `awaited` (an
   * emitAsync caller waits for it), so no queued broadcast is lost silently. Undefined when nothing is left to wait for, so a dispatch
   * whose broadcast went nowhere (the null driver, `broadcastWhen()` false) pays no promise
   * turn for it.
   * @internal
   */
  broadcastDispatched(
    event: object,
    socketId: string | undefined,
    awaited = false,
  ): Promise<void> | undefined {
    try {
      return this.deliverEvent(event as ShouldBroadcast, {}, socketId, 'report', awaited);
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
    const producer = this.producer;
    this.producer = undefined;
    await Promise.allSettled([
      ...broadcasters.map((broadcaster) => broadcaster.close?.()),
      producer?.close(),
    ]);
  }

  /**
   * Resolves a {@link ShouldBroadcast} event and delivers it. `exceptSocketId` is excluded in
   * any case; the request's socket (`requestSocketId`, else the current request's) only when
   * the event is `@Broadcastable({ toOthers: true })`.
   */
  private deliverEvent(
    event: ShouldBroadcast,
    choice: BroadcastEventOptions,
    requestSocketId: string | undefined,
    onFailure: OnFailure,
    awaited = false,
  ): Promise<void> | undefined {
    const resolved = resolveBroadcastEvent(event);
    if (!resolved) return undefined; // broadcastWhen() said no
    const except =
      choice.exceptSocketId ??
      (resolved.toOthers ? (requestSocketId ?? currentSocketId()) : undefined);
    // resolveBroadcastEvent already gives full channel names without duplicates. Prepared
    // (validated, serialized) here, at dispatch, even when queued: a payload that cannot be
    // serialized is refused now, not in the worker.
    const message = prepareBroadcast(resolved.channels, resolved.event, resolved.payload, except);
    return this.dispatch(message, {
      connections: resolved.connections,
      queue: choice.queue ?? resolved.queue ?? this.queueDefault,
      afterCommit: choice.afterCommit ?? resolved.afterCommit ?? this.afterCommitDefault,
      event,
      onFailure,
      awaited,
    });
  }

  /**
   * Where a prepared broadcast goes: held until its transaction commits, queued, or handed
   * to the drivers now. The inline path costs two boolean checks.
   */
  private dispatch(message: PreparedBroadcast, how: Dispatch): Promise<void> | undefined {
    if (how.afterCommit && this.holdUntilCommit(message, how)) return undefined;
    if (how.queue === false) return this.deliver(message, how.connections, how.onFailure);
    return this.enqueue(message, how);
  }

  /** True when a transaction took the broadcast, to dispatch it once it commits. */
  private holdUntilCommit(message: PreparedBroadcast, how: Dispatch): boolean {
    if (!this.transactions) {
      if (!this.warnedAfterCommit)
        this.logger.warn(QueueMessages.afterCommitWithoutHooks(message.event));
      this.warnedAfterCommit = true;
      return false;
    }
    // After the commit nobody waits for the dispatch any more: failures are reported.
    const later: Dispatch = { ...how, afterCommit: false, onFailure: 'report' };
    return this.transactions.runAfterCommit(() => {
      try {
        void this.dispatch(message, later);
      } catch (error) {
        this.failed(error, message, this.connectionNames(how.connections).join(', '), 'report');
      }
    });
  }

  /** Queues a prepared broadcast as a job; rejects or reports as `how.onFailure` says. */
  private enqueue(message: PreparedBroadcast, how: Dispatch): Promise<void> | undefined {
    const connections = this.connectionNames(how.connections);
    let added: Promise<void>;
    let queue = '';
    try {
      queue = this.queueName(how.queue as true | string, how.event);
      for (const name of connections) this.assertConnection(name);
      added = this.addJob(queue, broadcastJob(message, connections, how.event));
    } catch (error) {
      return this.failed(error, message, connections.join(', '), how.onFailure);
    }
    if (how.onFailure === 'reject' || how.awaited) return added;
    return added.then(undefined, (error: unknown) =>
      this.failed(error, message, `queue ${queue}`, 'report'),
    );
  }

  /**
   * The queue a choice names; throws a BroadcastConfigError naming the key when queueing is
   * off or the name is unknown. The fake manager accepts any name.
   */
  protected queueName(choice: true | string, event: object | undefined): string {
    return queueNameOf(this.config.queue, choice, event);
  }

  /** Hands a job to BullMQ; the fake manager records it instead. */
  protected addJob(queue: string, job: BroadcastJobData): Promise<void> {
    this.producer ??= new BroadcastQueueProducer(this.config.queue!);
    return this.producer.add(queue, job);
  }

  /** Connection names as a job carries them: the default one spelled out. */
  private connectionNames(connections: Connections): string[] {
    if (connections === undefined) return [this.config.default];
    return Array.isArray(connections) ? connections : [connections];
  }

  /** A queued job names connections the worker must know: checked now, without building them. */
  private assertConnection(name: string): void {
    if (!this.isKnownConnection(name)) this.connection(name); // throws the unknown-connection error
  }

  /**
   * Whether `name` is a connection or a driver this manager can build, without building it.
   * @internal
   */
  isKnownConnection(name: string): boolean {
    return this.resolved.has(name) || !!this.config.connections?.[name] || this.factories.has(name);
  }

  /** @internal Every connection and driver name, for error messages. */
  knownConnections(): string[] {
    return [...new Set([...Object.keys(this.config.connections ?? {}), ...this.factories.keys()])];
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
    message: PreparedBroadcast,
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
