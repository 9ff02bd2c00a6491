import type { RedisCommandClient } from '../../../shared/redis/redis-clients.js';
import { pairs, type OccupancyChange } from './occupancy-store.js';
import { DEREGISTER_SCRIPT, TICK_SCRIPT } from './presence-scripts.js';
import type { BucketKeys, RedisScalingKeys } from './redis-scaling-keys.js';
import { triples, type RosterChange } from './roster-change.js';
import { runScript } from './scaling-clients.js';

/** What one bucket's heartbeat found, or that its shard did not answer. */
export type BucketTick =
  | {
      bucket: BucketKeys;
      answered: true;
      /** This node's key in the bucket was still there: Redis kept its state in the bucket. */
      wasAlive: boolean;
      deadNodes: string[];
      gone: RosterChange[];
      vacated: OccupancyChange[];
    }
  | { bucket: BucketKeys; answered: false; error: unknown };

/**
 * This node in every bucket's registry (see RedisScalingKeys): the heartbeat with the sweep
 * of dead nodes, and deregistration. Each bucket runs its own script, atomic within its slot,
 * so the survivor whose script finds a dead node's key expired in a bucket is the one that
 * removes, and reports, that node's members and channels of the bucket; and a bucket whose
 * shard does not answer holds none of the others up.
 */
export class NodeRegistry {
  constructor(
    private readonly redis: RedisCommandClient,
    private readonly keys: RedisScalingKeys,
    private readonly nodeId: string,
    private readonly ttlMs: number,
  ) {}

  get buckets(): readonly BucketKeys[] {
    return this.keys.buckets;
  }

  /** TICK_SCRIPT in every bucket at once; one result per bucket, never rejects. */
  tick(): Promise<BucketTick[]> {
    return Promise.all(this.keys.buckets.map((bucket) => this.tickIn(bucket)));
  }

  /**
   * Removes this node from every bucket (graceful shutdown): users gone from a roster and
   * channels no node holds any more, of the buckets that answered. Rejects when none did.
   */
  async deregister(): Promise<{ gone: RosterChange[]; vacated: OccupancyChange[] }> {
    const results = await Promise.allSettled(
      this.keys.buckets.map((bucket) =>
        runScript(this.redis, DEREGISTER_SCRIPT, [bucket.nodes], [bucket.namespace, this.nodeId]),
      ),
    );
    const gone: RosterChange[] = [];
    const vacated: OccupancyChange[] = [];
    for (const result of results)
      if (result.status === 'fulfilled') {
        const [flatGone, flatVacated] = result.value as [string[], string[]];
        gone.push(...triples(flatGone));
        vacated.push(...pairs(flatVacated));
      }
    if (results.every((result) => result.status === 'rejected'))
      throw (results[0] as PromiseRejectedResult).reason;
    return { gone, vacated };
  }

  private async tickIn(bucket: BucketKeys): Promise<BucketTick> {
    try {
      const [existed, dead, gone, vacated] = (await runScript(
        this.redis,
        TICK_SCRIPT,
        // Unused by the script; it routes the call to the bucket's shard on a Redis Cluster.
        [bucket.nodes],
        [bucket.namespace, this.nodeId, this.ttlMs],
      )) as [number, string[], string[], string[]];
      return {
        bucket,
        answered: true,
        wasAlive: existed === 1,
        deadNodes: dead,
        gone: triples(gone),
        vacated: pairs(vacated),
      };
    } catch (error) {
      return { bucket, answered: false, error };
    }
  }
}
