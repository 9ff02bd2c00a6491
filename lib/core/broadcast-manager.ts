import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { Broadcaster, PreparedBroadcast } from '../drivers/broadcaster.interface.js';
import { BroadcastDelivery } from './broadcast-delivery.js';
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
  BroadcastModuleOptions,
} from '../config/broadcast-options.interface.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from '../constants.js';
import { currentSocketId } from './socket-id.context.js';
import { resolveBroadcastEvent } from '../events/broadcast-event.js';
import { broadcastableOptionsOf } from '../events/broadcastable.decorator.js';
import type { ShouldBroadcast } from '../events/should-broadcast.interface.js';
import { broadcastJob } from '../queue/broadcast-job.js';
import type { BroadcastJobSink } from '../queue/broadcast-job-sink.interface.js';
import { BroadcastQueueProducer } from '../queue/broadcast-queue.producer.js';
import { QueueMessages } from '../queue/queue-messages.js';
import type { BroadcastEventOptions, Dispatch, OnFailure } from './dispatch.interface.js';
import type { BroadcastTransactionHooks } from '../transactions/transaction-hooks.interface.js';

/** An auto-broadcast's per-call choices: none (one shared object, not one per dispatch). */
const NO_CHOICE: BroadcastEventOptions = Object.freeze({});

/**
 * Sends broadcasts through named connections. Connections are built on first use and
 * cached; `extend()` adds drivers. Inject it, or use the static `Broadcast` facade.
 *
 * Every broadcast takes one path, like Laravel's `event()` → `BroadcastEvent::handle` →
 * driver: resolve the event ({@link resolveBroadcastEvent}), prepare the message
 * ({@link prepareBroadcast}: validated, payload serialized once), deliver it to each
 * connection ({@link BroadcastDelivery}). A prepared broadcast may leave later: from a
 * queue (Laravel's `ShouldBroadcast`), or once its database transaction commits. Only the end
 * differs: `send()` and `event()` reject, an auto-broadcast reports.
 */
@Injectable()
export class BroadcastManager extends BroadcastDelivery implements OnApplicationShutdown {
  private jobs?: BroadcastJobSink;
  private readonly queueDefault: boolean;
  private readonly afterCommitDefault: boolean;
  private readonly transactions?: BroadcastTransactionHooks;
  private warnedAfterCommit = false;

  constructor(
    @Inject(BROADCAST_CONFIG) config: ResolvedBroadcastConfig,
    @Optional()
    @Inject(BROADCAST_MODULE_OPTIONS)
    options: BroadcastModuleOptions = {},
  ) {
    super(config, options ?? {});
    this.queueDefault = config.queue?.default ?? false;
    this.afterCommitDefault = config.afterCommit ?? false;
    this.transactions = options?.transactions;
  }

  /** Name of the connection used when none is given. */
  getDefaultConnection(): string {
    return this.config.default;
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
    this.registry.extend(driverName, factory);
    return this;
  }

  /**
   * Publishes `event` with `payload` on `channels` (or queues it, with `queue`). Rejects when
   * the driver fails, or when the queue does not take the job.
   */
  send(message: BroadcastMessage): Promise<void>;
  /** Publishes a contract's event; a schema in the contract validates the payload first. */
  send<E extends EventContract>(
    event: E,
    params: ParamsOf<E>,
    payload: PayloadInput<E>,
    options?: ContractSendOptions,
  ): Promise<void>;
  async send(...args: SendArguments): Promise<void> {
    const { prepared, connection, queue, afterCommit } = await prepareSend(args);
    if (!queue && !afterCommit) return this.deliver(prepared, connection, 'reject');
    await this.dispatch(prepared, {
      connections: connection,
      queue: queue ?? false,
      afterCommit: afterCommit ?? false,
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
    const send = (...args: SendArguments) => this.send(...(excluding(args, except) as [never]));
    return {
      send: send as PendingBroadcast['send'],
      event: (event, options) => this.event(event, { ...options, exceptSocketId: except }),
    };
  }

  /**
   * Broadcasts an event after its EventEmitter2 listeners succeeded. `socketId` is the
   * X-Socket-ID of the request that emitted it, for `@Broadcastable({ toOthers: true })`.
   * Failures are logged and handed to `onError`, so they cannot break the code that emitted
   * the event; only a queued event Redis would not take rejects, when `awaited` (emitAsync
   * waits), so no queued broadcast is lost silently. Undefined when nothing is left to wait
   * for, so a dispatch whose broadcast went nowhere pays no promise turn for it.
   * @internal
   */
  broadcastDispatched(
    event: object,
    socketId: string | undefined,
    awaited = false,
  ): Promise<void> | undefined {
    try {
      return this.deliverEvent(event as ShouldBroadcast, NO_CHOICE, socketId, 'report', awaited);
    } catch (error) {
      // Reading or validating the event failed, before any channel was known.
      const name = event.constructor?.name ?? 'event';
      this.failures.report(error, { event: name, channels: [], connection: this.config.default });
      return undefined;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const jobs = this.jobs;
    this.jobs = undefined;
    await Promise.allSettled([this.closeConnections(), jobs?.close()]);
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
    const { channels, event: name, connections } = resolved;
    const queue = choice.queue ?? resolved.queue ?? this.queueDefault;
    const afterCommit = choice.afterCommit ?? resolved.afterCommit ?? this.afterCommitDefault;
    // resolveBroadcastEvent already gives full channel names without duplicates. Prepared
    // (validated, serialized) here, at dispatch, even when queued: a payload that cannot be
    // serialized is refused now, not in the worker.
    if (!resolved.contract) {
      const message = prepareBroadcast(channels, name, resolved.payload, except);
      // The inline path (the usual one) allocates no Dispatch.
      if (queue === false && !afterCommit) return this.deliver(message, connections, onFailure);
      return this.dispatch(message, { connections, queue, afterCommit, event, onFailure, awaited });
    }
    const how = { connections, queue, afterCommit, event, onFailure, awaited };
    // A contract's schema runs before any driver; only an async one costs a promise turn.
    return deliverValidated(
      resolved.contract,
      resolved.payload,
      (payload) => this.dispatch(prepareBroadcast(channels, name, payload, except), how),
      (error) =>
        this.failures.failed(error, resolved, this.connectionNames(connections), onFailure),
    );
  }

  /**
   * Where a prepared broadcast that is queued or after-commit goes: held until its
   * transaction commits (and then dispatched again), queued, or handed to the drivers now.
   * Inline broadcasts of `send()` and `deliverEvent()` skip it and call `deliver()` directly.
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
        this.failures.warn(QueueMessages.afterCommitWithoutHooks(message.event));
      this.warnedAfterCommit = true;
      return false;
    }
    // After the commit nobody waits for the dispatch any more: failures are reported.
    const later: Dispatch = { ...how, afterCommit: false, onFailure: 'report' };
    return this.transactions.runAfterCommit(() => {
      try {
        void this.dispatch(message, later);
      } catch (error) {
        this.failures.failed(error, message, this.connectionNames(how.connections), 'report');
      }
    });
  }

  /** Queues a prepared broadcast as a job; rejects or reports as `how.onFailure` says. */
  private enqueue(message: PreparedBroadcast, how: Dispatch): Promise<void> | undefined {
    // Named connections travel by name; none named means the worker's own default, as in
    // Laravel, so a worker configured for production sends there whatever the app's default.
    const named = how.connections === undefined ? undefined : [how.connections].flat();
    let added: Promise<void>;
    let queue = '';
    try {
      const jobs = this.jobSink();
      queue = jobs.queueName(how.queue as true | string, how.event);
      // The worker must know every name: checked now, without building the connections.
      for (const name of named ?? []) if (!this.registry.has(name)) this.connection(name);
      const type = how.event?.constructor;
      const own = typeof type === 'function' ? broadcastableOptionsOf(type) : undefined;
      const retry = own ? { attempts: own.attempts, backoff: own.backoff } : undefined;
      added = jobs.add(queue, broadcastJob(message, named, how.event), retry);
    } catch (error) {
      const where = this.connectionNames(how.connections);
      return this.failures.failed(error, message, where, how.onFailure);
    }
    if (how.onFailure === 'reject' || how.awaited) return added;
    return added.then(undefined, (error: unknown) =>
      this.failures.failed(error, message, `queue ${queue}`, 'report'),
    );
  }

  /**
   * The queue `choice` names for `event`; throws a BroadcastConfigError naming the key when
   * it is unknown (the boot's check of `@Broadcastable({ queue })`).
   * @internal
   */
  queueNameFor(choice: true | string, event: object | undefined): string {
    return this.jobSink().queueName(choice, event);
  }

  private jobSink(): BroadcastJobSink {
    return (this.jobs ??= this.createJobSink());
  }

  /** Where queued broadcasts go: BullMQ; the fake manager records them instead. */
  protected createJobSink(): BroadcastJobSink {
    return new BroadcastQueueProducer(this.config.queue);
  }

  /** Whether `name` is a connection or driver this manager can build. @internal */
  isKnownConnection(name: string): boolean {
    return this.registry.has(name);
  }

  /** Every connection and driver name, for error messages. @internal */
  knownConnections(): string[] {
    return this.registry.known();
  }
}
