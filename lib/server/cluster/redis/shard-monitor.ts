import type { ServerLogger } from '../../../shared/logger.js';
import { settleWithin } from '../settle-within.js';
import { reasonOf, ScalingMessages } from './scaling-messages.js';

/** One master of a Redis Cluster as `GET /up` reports it. */
export interface ShardState {
  /** `host:port` of the master. */
  node: string;
  /** How many of the 16384 slots it serves. */
  slots: number;
  /** `down`: it did not answer this node's last PING (within 1 s). */
  state: 'up' | 'down';
}

/** What the monitor reads of an ioredis `Cluster`: its masters and its slot table. */
export interface ClusterTopology {
  nodes(role: 'master'): Array<{
    options: { host?: string; port?: number };
    ping(): Promise<unknown>;
  }>;
  /** Slot → node keys (`host:port`), the master first. */
  slots: string[][];
}

const PING_WAIT_MS = 1_000;

/**
 * Follows each shard (master) of a Redis Cluster, once per heartbeat: a PING to the master of
 * every slot range. A master that stops answering has its slots' channels
 * cut off from the other nodes until it restarts or a replica is promoted, so `/up` lists
 * each shard's state and a change is logged once: down, back, or gone (no longer a master).
 */
export class ShardMonitor {
  private current = new Map<string, ShardState>();

  constructor(
    private readonly cluster: ClusterTopology,
    private readonly logger: ServerLogger,
  ) {}

  /** Every known master, sorted by address. */
  get shards(): ShardState[] {
    return [...this.current.values()].sort((a, b) => a.node.localeCompare(b.node));
  }

  get allUp(): boolean {
    for (const shard of this.current.values()) if (shard.state === 'down') return false;
    return true;
  }

  /**
   * PINGs the master of every slot range; never rejects. The slot table, not ioredis's
   * connection pool, says which masters there are: a master that died stays the owner of its
   * slots until a replica takes over, while ioredis drops it from the pool meanwhile.
   */
  async check(): Promise<void> {
    const slotCounts = new Map<string, number>();
    for (const owners of this.cluster.slots)
      if (owners?.[0]) slotCounts.set(owners[0], (slotCounts.get(owners[0]) ?? 0) + 1);
    const connections = new Map(
      this.cluster
        .nodes('master')
        .map((redis) => [`${redis.options.host}:${redis.options.port}`, redis]),
    );
    const next = new Map<string, ShardState>();
    await Promise.all(
      [...slotCounts].map(async ([node, slots]) => {
        let failure: string | undefined;
        const redis = connections.get(node);
        if (!redis) failure = 'no connection';
        else
          await settleWithin(redis.ping(), PING_WAIT_MS, {
            onError: (error) => (failure = reasonOf(error)),
            onLate: () => (failure = `no PONG within ${PING_WAIT_MS} ms`),
          });
        next.set(node, { node, slots, state: failure === undefined ? 'up' : 'down' });
        const before = this.current.get(node);
        if (failure !== undefined && before?.state !== 'down')
          this.logger.warn(ScalingMessages.shardDown(node, slots, failure));
        else if (failure === undefined && before?.state === 'down')
          this.logger.warn(ScalingMessages.shardUp(node, slots));
      }),
    );
    for (const node of this.current.keys())
      if (!next.has(node)) this.logger.warn(ScalingMessages.shardGone(node));
    this.current = next;
  }
}
