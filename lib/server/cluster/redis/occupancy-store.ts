import type { RedisCommandClient } from '../../../shared/redis/redis-clients.js';
import { OCCUPANCY_RESYNC_SCRIPT, OCCUPY_SCRIPT, VACATE_SCRIPT } from './occupancy-scripts.js';
import type { BucketKeys, RedisScalingKeys } from './redis-scaling-keys.js';
import { runScript } from './scaling-clients.js';

/** A channel that became occupied or vacant cluster-wide. */
export interface OccupancyChange {
  appId: string;
  channel: string;
}

/**
 * Which nodes hold each channel, in Redis (occupancy-scripts.ts), so occupied / vacated are
 * told once per cluster. This node's own channels are mirrored in memory and written back
 * when Redis may have lost them (see {@link resync}); a call that fails while Redis is
 * unreachable reports nothing, and the write-back settles the difference later.
 */
export class OccupancyStore {
  /** `appId\nchannel` of the channels this node has local subscribers on. */
  private readonly mine = new Set<string>();

  constructor(
    private readonly redis: RedisCommandClient,
    private readonly keys: RedisScalingKeys,
    private readonly nodeId: string,
  ) {}

  /** True when this node is the first anywhere to hold the channel. */
  async occupy(appId: string, channel: string): Promise<boolean> {
    this.mine.add(`${appId}\n${channel}`);
    return (await this.run(OCCUPY_SCRIPT, appId, channel)) === 1;
  }

  /** True when no node holds the channel any more. */
  async vacate(appId: string, channel: string): Promise<boolean> {
    this.mine.delete(`${appId}\n${channel}`);
    return (await this.run(VACATE_SCRIPT, appId, channel)) === 1;
  }

  /** Writes this node's channels of one bucket back; returns what the cluster has not heard of. */
  async resync(
    bucket: BucketKeys,
  ): Promise<{ occupied: OccupancyChange[]; vacated: OccupancyChange[] }> {
    const entries: string[][] = [];
    for (const k of this.mine) {
      const [appId, channel] = k.split('\n');
      if (this.keys.bucketOf(appId, channel) === bucket)
        entries.push([appId, channel, entryOf(appId, channel)]);
    }
    const [occupied, vacated] = (await runScript(
      this.redis,
      OCCUPANCY_RESYNC_SCRIPT,
      // The node's index, which the script also builds: on a Redis Cluster the call must name
      // a key of the bucket to reach the bucket's shard.
      [bucket.nodeChannels(this.nodeId)],
      [bucket.namespace, this.nodeId, JSON.stringify(entries)],
    )) as [string[], string[]];
    return { occupied: pairs(occupied), vacated: pairs(vacated) };
  }

  clear(): void {
    this.mine.clear();
  }

  private run(script: string, appId: string, channel: string): Promise<unknown> {
    return runScript(
      this.redis,
      script,
      [
        this.keys.occupancy(appId, channel),
        this.keys.bucketOf(appId, channel).nodeChannels(this.nodeId),
      ],
      [this.nodeId, entryOf(appId, channel)],
    );
  }
}

function entryOf(appId: string, channel: string): string {
  return JSON.stringify([appId, channel]);
}

/** Flat (app, channel) pairs as a script returns them. */
export function pairs(flat: string[]): OccupancyChange[] {
  const changes: OccupancyChange[] = [];
  for (let i = 0; i < flat.length; i += 2) changes.push({ appId: flat[i], channel: flat[i + 1] });
  return changes;
}
