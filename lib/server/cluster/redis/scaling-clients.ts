import { createHash } from 'node:crypto';
import {
  createRedisClient,
  SHARDED_SLOTS_REFRESH_MS,
  type RedisCommandClient,
  type RedisSubscriberClient,
} from '../../../shared/redis/redis-clients.js';
import type { RedisTarget } from '../../../shared/redis/redis-target.js';
import {
  shardedSubscriber,
  type ShardedSubscriberCluster,
} from '../../../shared/redis/sharded-subscriber.js';
import { ScalingMessages } from './scaling-messages.js';
import type { ClusterTopology } from './shard-monitor.js';

export interface ScalingClients {
  commands: RedisCommandClient;
  subscriber: RedisSubscriberClient;
  /** On a Redis Cluster: its masters and slots, for the per-shard state in `/up` and logs. */
  topology?: ClusterTopology;
}

/** A Redis Cluster command client: a `Cluster` with SPUBLISH and its topology. */
type CommandCluster = RedisCommandClient &
  ClusterTopology & { spublish(channel: string, message: string): Promise<number> };

/** Both roles, on one Redis or a cluster: fail fast, reconnect at most 1 s apart once Redis is back. */
const BASE_OPTIONS = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 2_000,
  retryStrategy: (times: number) => Math.min(times * 100, 1_000),
};

/**
 * Loads `ioredis` (an optional peer, only when scaling is on) and builds the two connections
 * the adapter needs: a subscribed connection cannot send other commands.
 *
 * Both fail fast while disconnected (`enableOfflineQueue: false`) instead of queueing: the
 * adapter falls back to local answers and counts what it dropped, so an outage cannot grow
 * memory. Subscriptions are restored by the adapter itself (`autoResubscribe: false`), from
 * the set of channels that have local subscribers at reconnect time.
 */
export async function createScalingClients(
  target: RedisTarget,
  nodeId: string,
): Promise<ScalingClients> {
  if (target.cluster?.length) return createShardedClients(target, nodeId);
  const { url } = target;
  const neededBy = ScalingMessages.neededBy();
  return {
    commands: await createRedisClient<RedisCommandClient>(url, neededBy, {
      ...BASE_OPTIONS,
      enableAutoPipelining: true,
      connectionName: `nb-${nodeId}-cmd`,
    }),
    subscriber: await createRedisClient<RedisSubscriberClient>(url, neededBy, {
      ...BASE_OPTIONS,
      autoResubscribe: false,
      connectionName: `nb-${nodeId}-sub`,
    }),
  };
}

/**
 * The same two roles on a Redis Cluster, over sharded pub/sub: every node-to-node message
 * (relayed events, presence changes, queries) is SPUBLISHed to the one shard that owns its
 * channel's slot, and each node SSUBSCRIBEs only the channels it needs, so adding shards adds
 * pub/sub capacity (classic PUBLISH would be copied to every cluster node). The relay and
 * the queries keep calling `publish` / `subscribe`: the clients translate.
 */
async function createShardedClients(target: RedisTarget, nodeId: string): Promise<ScalingClients> {
  const neededBy = ScalingMessages.neededBy();
  const base = {
    ...BASE_OPTIONS,
    // MOVED / ASK are followed by ioredis; while a failover is under way it retries briefly.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
  };
  const cluster = await createRedisClient<CommandCluster>(target, neededBy, {
    ...base,
    // Also re-reads the slot table every second, so a master that restarted (which ioredis
    // dropped from its pool) or a promoted replica is known again without a MOVED first.
    slotsRefreshInterval: SHARDED_SLOTS_REFRESH_MS,
    enableAutoPipelining: true,
    connectionName: `nb-${nodeId}-cmd`,
  });
  const subscriber = await createRedisClient<ShardedSubscriberCluster>(target, neededBy, {
    ...base,
    shardedSubscribers: true,
    slotsRefreshInterval: SHARDED_SLOTS_REFRESH_MS,
    connectionName: `nb-${nodeId}-sub`,
  });
  const commands: RedisCommandClient = {
    get status() {
      return cluster.status;
    },
    connect: () => cluster.connect(),
    quit: () => cluster.quit(),
    disconnect: () => cluster.disconnect(),
    on(event: string, listener: (...args: any[]) => void) {
      cluster.on(event as 'error', listener);
      return commands;
    },
    publish: (channel, message) => cluster.spublish(channel, message),
    call: (command, ...args) => cluster.call(command, ...args),
  };
  return { commands, subscriber: shardedSubscriber(subscriber), topology: cluster };
}

const shas = new Map<string, string>();

/** EVALSHA, falling back to EVAL once when Redis has no copy (first run, or after a restart). */
export async function runScript(
  client: RedisCommandClient,
  script: string,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  let sha = shas.get(script);
  if (!sha) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
  try {
    return await client.call('EVALSHA', sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return client.call('EVAL', script, keys.length, ...keys, ...args);
  }
}

/** SUBSCRIBEs to every channel, at most 1000 per command so no command grows unbounded. */
export function subscribeInBatches(
  subscriber: RedisSubscriberClient,
  channels: string[],
): Promise<unknown> {
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < channels.length; i += 1000)
    batches.push(subscriber.subscribe(...channels.slice(i, i + 1000)));
  return Promise.all(batches);
}
