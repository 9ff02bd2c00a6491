import type { RedisSubscriberClient } from './redis-clients.js';

/** What sharded pub/sub needs of an ioredis `Cluster` created with `shardedSubscribers: true`. */
export interface ShardedSubscriberCluster {
  status: string;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  ssubscribe(...channels: string[]): Promise<unknown>;
  sunsubscribe(...channels: string[]): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * A Redis Cluster's sharded pub/sub behind the subscriber interface the rest of the package
 * speaks, so the relay, queries and Redis delivery are the same code on one Redis and on a
 * cluster: SUBSCRIBE becomes SSUBSCRIBE (one command per channel: a command may only name
 * channels of one slot, and ioredis sends each to the shard that owns it), and `message`
 * listens to `smessage`. ioredis keeps one subscriber connection per master and subscribes
 * a shard's channels again when its slots move (failover, restart, resharding), which it
 * notices by re-reading the slot table (`slotsRefreshInterval`, see SHARDED_SLOTS_REFRESH_MS):
 * Redis drops a moved slot's subscribers without saying where the slot went.
 */
export function shardedSubscriber(cluster: ShardedSubscriberCluster): RedisSubscriberClient {
  const client: RedisSubscriberClient = {
    get status() {
      return cluster.status;
    },
    connect: () => cluster.connect(),
    quit: () => cluster.quit(),
    disconnect: () => cluster.disconnect(),
    subscribe: (...channels: string[]) =>
      Promise.all(channels.map((channel) => cluster.ssubscribe(channel))),
    unsubscribe: (...channels: string[]) =>
      Promise.all(channels.map((channel) => cluster.sunsubscribe(channel))),
    on(event: string, listener: (...args: any[]) => void) {
      cluster.on(event === 'message' ? 'smessage' : event, listener);
      return client;
    },
  };
  return client;
}
