import type { ServerLogger } from '../../../shared/logger.js';
import type { AdapterHost, AdapterPublish } from '../server-adapter.interface.js';
import type { ClusterRelay } from './cluster-relay.js';
import type { OccupancyChange, OccupancyStore } from './occupancy-store.js';
import type { PresenceStore } from './presence-store.js';
import type { RedisLink } from './redis-link.js';
import { memberAdded, memberRemoved, type RosterChange } from './roster-change.js';
import { ScalingMessages } from './scaling-messages.js';
import type { ShardMonitor } from './shard-monitor.js';

export interface NodeHeartbeatOptions {
  intervalMs: number;
  link: RedisLink;
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
 * heartbeat key and sweeps nodes whose key expired (announcing their presence members
 * gone), or, when Redis may have lost this node's state, writes it back (see RedisLink's
 * `resyncing`). On close it deregisters. Never two beats at once: a slow Redis delays the
 * next beat instead of piling beats up.
 */
export class NodeHeartbeat {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
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
      const { gone, vacated } = await this.options.presence.deregister();
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
    const { link, presence, publish, logger, shards } = this.options;
    if (!link.commandsOpen) return;
    await shards?.check();
    if (link.state === 'resyncing') return link.resync(() => this.writeBack());
    let tick: Awaited<ReturnType<PresenceStore['tick']>>;
    try {
      tick = await presence.tick();
    } catch (error) {
      return link.heartbeatFailed(error);
    }
    link.heartbeatAnswered();
    if (!tick.wasAlive && this.registered) {
      link.sweptAsDead();
      // At once, unless a connection is down: then once it is back (see RedisLink).
      await link.resync(() => this.writeBack());
    }
    this.registered = true;
    if (tick.deadNodes.length > 0)
      logger.warn(ScalingMessages.nodesSwept(tick.deadNodes, tick.gone.length));
    for (const change of tick.gone) publish(memberRemoved(change));
    this.tell(tick.gone, 'member_removed');
    this.vacated(tick.vacated);
  }

  /** Writes this node's presence memberships back and tells the other nodes what changed. */
  private async writeBack(): Promise<void> {
    const { gone, added } = await this.options.presence.resync();
    const channels = await this.options.occupancy.resync();
    this.tell(gone, 'member_removed');
    this.tell(added, 'member_added');
    for (const { appId, channel } of channels.occupied)
      this.options.notify(appId, { name: 'channel_occupied', channel });
    this.vacated(channels.vacated);
    await this.announce(gone, memberRemoved);
    await this.announce(added, memberAdded);
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
