import type { ServerLogger } from '../../../shared/logger.js';
import type { AdapterHost, AdapterPublish } from '../server-adapter.interface.js';
import type { ClusterRelay } from './cluster-relay.js';
import type { NodeRegistry } from './node-registry.js';
import type { OccupancyChange, OccupancyStore } from './occupancy-store.js';
import type { PresenceStore } from './presence-store.js';
import type { RedisLink } from './redis-link.js';
import type { BucketKeys } from './redis-scaling-keys.js';
import { memberAdded, memberRemoved, type RosterChange } from './roster-change.js';
import { ScalingMessages } from './scaling-messages.js';
import type { ShardMonitor } from './shard-monitor.js';

export interface NodeHeartbeatOptions {
  intervalMs: number;
  link: RedisLink;
  registry: NodeRegistry;
  presence: PresenceStore;
  occupancy: OccupancyStore;
  /**
   * Tells the engine of a cluster-wide change this node's beat found (a sweep's removals, a
   * write-back's net change): exactly one node's script reports each.
   */
  notify: AdapterHost['notify'];
  /** To the other nodes only, for changes this node's sockets already know of. */
  relay: ClusterRelay;
  /** To every node's sockets, this node's included, for what a sweep removed. */
  publish: (message: AdapterPublish) => void;
  logger: ServerLogger;
  /** On a Redis Cluster: checked every beat, whether or not the heartbeat's shard answers. */
  shards?: ShardMonitor;
}

/**
 * This node's membership of the cluster over time. Every `intervalMs` it refreshes its
 * heartbeat key in every bucket (see NodeRegistry) and sweeps nodes whose key expired there
 * (announcing their presence members gone), or, when Redis may have lost this node's state,
 * writes it back (see RedisLink's `resyncing`): everywhere after a new connection, and only
 * in the buckets concerned when a bucket lost this node's key or could not be reached. On
 * close it deregisters. Never two beats at once: a slow Redis delays the next beat instead of
 * piling beats up.
 */
export class NodeHeartbeat {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /**
   * Buckets whose state in Redis may lack this node's (a beat or a write-back found its shard
   * unreachable, so joins and leaves there may have failed): written back once they answer.
   */
  private readonly unsynced = new Set<BucketKeys>();
  /** A beat has written this node's key: the boot fails without it. */
  registered = false;

  constructor(private readonly options: NodeHeartbeatOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.now(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Beats now unless a beat is running; resolves when the beat is over. Never rejects. */
  now(): Promise<void> {
    this.running ??= this.beat()
      .catch(() => {})
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for a running beat. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Stops beating and deregisters: the other nodes hear member_removed for this node's users
   * at once. Without Redis they sweep this node when its heartbeat key expires instead.
   */
  async leave(): Promise<void> {
    await this.stop();
    if (!this.options.link.commandsOpen) return;
    try {
      // Buckets whose shard does not answer sweep this node when its key there expires.
      const { gone, vacated } = await this.options.registry.deregister();
      this.options.presence.clear();
      this.tell(gone, 'member_removed');
      this.vacated(vacated);
      await this.announce(gone, memberRemoved);
      // Also every member_removed the engine published while closing its sockets.
      await this.options.relay.drained();
    } catch {
      // Redis unreachable: swept when the heartbeat key expires, as above.
    }
  }

  private async beat(): Promise<void> {
    const { link, registry, publish, logger, shards } = this.options;
    if (!link.commandsOpen) return;
    await shards?.check();
    if (link.state === 'resyncing') return link.resync(() => this.writeBack(registry.buckets));
    const ticks = await registry.tick();
    for (const tick of ticks) if (!tick.answered) this.unsynced.add(tick.bucket);
    const failed = ticks.find((tick) => !tick.answered);
    // Not one bucket answered: Redis is unreachable or hangs. A bucket alone that does not
    // answer is its shard's fault, which the shard monitor reports.
    if (failed && ticks.every((tick) => !tick.answered)) return link.heartbeatFailed(failed.error);
    link.heartbeatAnswered();
    const lost: BucketKeys[] = [];
    const dead = new Set<string>();
    const gone: RosterChange[] = [];
    const vacated: OccupancyChange[] = [];
    for (const tick of ticks) {
      if (!tick.answered) continue;
      if ((!tick.wasAlive && this.registered) || this.unsynced.has(tick.bucket))
        lost.push(tick.bucket);
      for (const node of tick.deadNodes) dead.add(node);
      gone.push(...tick.gone);
      vacated.push(...tick.vacated);
    }
    if (lost.length > 0) {
      // As after a sweep: Redis lacks this node's state in these buckets. At once, unless a
      // connection is down: then everywhere once it is back (see RedisLink).
      link.sweptAsDead();
      await link.resync(() => this.writeBack(lost));
    }
    this.registered = true;
    // One line per beat, however many buckets swept the dead.
    if (dead.size > 0) logger.warn(ScalingMessages.nodesSwept([...dead], gone.length));
    for (const change of gone) publish(memberRemoved(change));
    this.tell(gone, 'member_removed');
    this.vacated(vacated);
  }

  /**
   * Writes this node's memberships and channels of the buckets back, and tells the other
   * nodes what changed. Never rejects: a bucket that fails stays unsynced, written back once
   * a beat reaches it, while the other buckets go on beating.
   */
  private async writeBack(buckets: readonly BucketKeys[]): Promise<void> {
    await Promise.all(
      buckets.map(async (bucket) => {
        this.unsynced.add(bucket);
        try {
          await this.writeBackBucket(bucket);
          this.unsynced.delete(bucket);
        } catch {
          // Still unsynced: the next beat that reaches the bucket writes it back.
        }
      }),
    );
  }

  private async writeBackBucket(bucket: BucketKeys): Promise<void> {
    const { gone, added } = await this.options.presence.resync(bucket);
    // Told before the channels' write-back, which may fail: the roster changed already.
    this.tell(gone, 'member_removed');
    this.tell(added, 'member_added');
    const announced = Promise.all([
      this.announce(gone, memberRemoved),
      this.announce(added, memberAdded),
    ]);
    const channels = await this.options.occupancy.resync(bucket);
    for (const { appId, channel } of channels.occupied)
      this.options.notify(appId, { name: 'channel_occupied', channel });
    this.vacated(channels.vacated);
    await announced;
  }

  private tell(changes: RosterChange[], name: 'member_added' | 'member_removed'): void {
    for (const { appId, channel, userId } of changes)
      this.options.notify(appId, { name, channel, user_id: userId });
  }

  private vacated(changes: OccupancyChange[]): void {
    for (const { appId, channel } of changes)
      this.options.notify(appId, { name: 'channel_vacated', channel });
  }

  private announce(
    changes: RosterChange[],
    message: (change: RosterChange) => AdapterPublish,
  ): Promise<unknown> {
    return Promise.all(changes.map((change) => this.options.relay.send(message(change))));
  }
}
