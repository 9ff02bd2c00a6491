import {
  closeRedisClient,
  type RedisConnection,
  type RedisCommandClient,
  type RedisSubscriberClient,
} from '../../../shared/redis/redis-clients.js';
import type { ServerLogger } from '../../../shared/logger.js';
import { reasonOf, ScalingMessages } from './scaling-messages.js';

/**
 * The state of this node's link to Redis.
 *
 * - `connecting`: the boot. Nothing is logged; a failure throws from `RedisScalingAdapter.start`.
 * - `up`: both connections open and Redis answers the heartbeat.
 * - `resyncing`: up, but Redis may have lost this node's presence memberships: the command
 *   connection reopened (Redis may have restarted empty), or the heartbeat found this node
 *   swept as dead. The next heartbeat writes them back. Only once both connections are open:
 *   the member_added / member_removed it announces should reach nodes that are reconnecting too.
 * - `degraded`: a connection is closed, or Redis hangs (the heartbeat fails on an open
 *   connection). This node serves its own subscribers; cluster publishes are dropped.
 * - `closed`: after `close()` or a failed boot; final.
 *
 * Transitions (`lost` and `back` are the only lines logged):
 *
 * ```
 * connecting  boot done ──────────────────────────► up
 * connecting  boot failed ────────────────────────► closed
 * up          swept as dead ──────────────────────► resyncing
 * resyncing   written back ───────────────────────► up
 * up, resyncing   a connection closed, or ───────► degraded   (logs "lost")
 *                 a heartbeat unanswered
 * degraded    every fault cleared ────────────────► up, or resyncing after a new command
 *                                                   connection        (logs "back")
 * any         close() ────────────────────────────► closed
 * ```
 */
export type LinkState = 'connecting' | 'up' | 'resyncing' | 'degraded' | 'closed';

/** What keeps the link from being up: a closed connection, or a heartbeat Redis did not answer. */
type Fault = 'commands' | 'subscriber' | 'heartbeat';

/** What the link tells the rest of the adapter. */
export interface LinkObserver {
  /** The subscriber connection reopened after the boot: SUBSCRIBE everything again. */
  subscriberReopened(): void;
  /** For the "back" line: channels listened on, and cluster publishes dropped so far. */
  recovery(): { channels: number; dropped: number };
}

/**
 * Follows both Redis connections and the heartbeat's verdict, and holds the one
 * {@link LinkState} derived from them. Every change goes through `enter`, the one place
 * that logs, so an outage is one "lost" line and one "back" line however often ioredis
 * retries or how many messages are dropped in between.
 */
export class RedisLink {
  private current: LinkState = 'connecting';
  /** Both connections start closed. */
  private readonly faults = new Set<Fault>(['commands', 'subscriber']);
  /** Redis may have lost this node's presence memberships: `resyncing` once nothing else is wrong. */
  private writeBackDue = false;
  /** Cluster publishes dropped as of the last change, so "back" says what one outage dropped. */
  private droppedBefore = 0;
  /** The last error Redis reported, for the log and the boot error. */
  lastError = '';

  constructor(
    private readonly commands: RedisCommandClient,
    private readonly subscriber: RedisSubscriberClient,
    /** The Redis URL with its password masked. */
    readonly where: string,
    private readonly logger: ServerLogger,
    private readonly observer: LinkObserver,
  ) {
    this.watch(commands, 'commands');
    this.watch(subscriber, 'subscriber');
  }

  get state(): LinkState {
    return this.current;
  }

  /** PUBLISH, scripts and queries can be sent (they may still time out on a hanging Redis). */
  get commandsOpen(): boolean {
    return this.current !== 'closed' && !this.faults.has('commands');
  }

  /** SUBSCRIBE and UNSUBSCRIBE can be sent. */
  get subscriberOpen(): boolean {
    return this.current !== 'closed' && !this.faults.has('subscriber');
  }

  /** Serving the cluster, for `GET /up`. */
  get healthy(): boolean {
    return this.current === 'up' || this.current === 'resyncing';
  }

  /** Opens both connections for the boot; rejects when Redis is unreachable. */
  async open(): Promise<void> {
    await Promise.all([this.commands.connect(), this.subscriber.connect()]);
  }

  /** The boot is over: from now on changes are logged and reconnects restore state. */
  booted(): void {
    if (this.current === 'connecting') this.enter(this.next());
  }

  /** The boot failed: drop both connections without waiting for Redis. */
  abort(): void {
    this.enter('closed');
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  /** Closed from the call on (nothing more is sent); resolves once both connections quit. */
  async close(): Promise<void> {
    this.enter('closed');
    await closeRedisClient(this.commands);
    await closeRedisClient(this.subscriber);
  }

  heartbeatFailed(error: unknown): void {
    this.lastError = reasonOf(error);
    this.faults.add('heartbeat');
    this.settle();
  }

  heartbeatAnswered(): void {
    if (this.faults.delete('heartbeat')) this.settle();
  }

  /** The heartbeat found this node's key expired: the others swept it as dead. */
  sweptAsDead(): void {
    this.writeBackDue = true;
    this.settle();
  }

  /**
   * Runs `writeBack` (this node's state into Redis) when `resyncing`; while degraded it waits.
   * A new command connection while it runs makes it due again; so does a failure, and the
   * next heartbeat tries again.
   */
  async resync(writeBack: () => Promise<void>): Promise<void> {
    if (this.current !== 'resyncing') return;
    this.writeBackDue = false;
    try {
      await writeBack();
    } catch {
      this.writeBackDue = true;
    }
    this.settle();
  }

  private watch(client: RedisConnection, kind: 'commands' | 'subscriber'): void {
    client.on('error', (error) => (this.lastError = error.message));
    client.on('ready', () => this.opened(kind));
    client.on('close', () => this.lost(kind));
    client.on('end', () => this.lost(kind));
  }

  private opened(kind: 'commands' | 'subscriber'): void {
    this.faults.delete(kind);
    if (this.current !== 'connecting' && this.current !== 'closed') {
      // A new command connection may face a Redis that restarted empty, or one that
      // dropped us as dead meanwhile; the subscriber's channels are gone either way.
      if (kind === 'commands') this.writeBackDue = true;
      else this.observer.subscriberReopened();
    }
    this.settle();
  }

  private lost(kind: 'commands' | 'subscriber'): void {
    this.faults.add(kind);
    this.settle();
  }

  /** Moves to the state the facts call for; during the boot and after close they wait. */
  private settle(): void {
    if (this.current !== 'connecting' && this.current !== 'closed') this.enter(this.next());
  }

  private next(): LinkState {
    if (this.faults.size > 0) return 'degraded';
    return this.writeBackDue ? 'resyncing' : 'up';
  }

  /** The one place the state changes, and the one place a change is logged. */
  private enter(next: LinkState): void {
    const previous = this.current;
    if (next === previous || previous === 'closed') return;
    this.current = next;
    if (next !== 'degraded' && previous !== 'degraded') return;
    if (next === 'closed') return; // shutting down while degraded is no recovery
    const { channels, dropped } = this.observer.recovery();
    const droppedMeanwhile = dropped - this.droppedBefore;
    this.droppedBefore = dropped;
    this.logger.warn(
      next === 'degraded'
        ? ScalingMessages.lost(this.where, this.lastError)
        : ScalingMessages.back(this.where, channels, droppedMeanwhile),
    );
  }
}
