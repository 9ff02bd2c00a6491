import type { ServerLogger } from '../../../shared/logger.js';
import type { RedisTarget } from '../../../shared/redis/redis-target.js';
import type { ScalingClients } from './scaling-clients.js';
import type { ShardState } from './shard-monitor.js';

/** Options of {@link RedisScalingAdapter}. The server builds them from `scaling: 'redis'`. */
export interface RedisScalingOptions {
  /**
   * Redis shared by every node.
   * @default BROADCASTING_REDIS_URL (redis://127.0.0.1:6379)
   */
  url: string;
  /**
   * Seed nodes of a Redis Cluster (`host:port`); wins over `url`. Nodes then talk over
   * sharded pub/sub (SSUBSCRIBE / SPUBLISH), one shard channel per Pusher channel.
   * @default BROADCASTING_REDIS_CLUSTER, else unset (one Redis)
   */
  cluster?: string[];
  /**
   * Namespace of every key and pub/sub channel. Nodes with the same namespace form one
   * cluster; give each app or environment sharing a Redis its own.
   * @default BROADCASTING_REDIS_PREFIX + 'nestjs-broadcasting:'
   */
  namespace: string;
  /**
   * How often a node refreshes its heartbeat key and sweeps dead nodes, in ms.
   * @default 1000
   */
  heartbeatMs?: number;
  /**
   * How long a heartbeat key lives. A node silent for this long is dead: the next survivor's
   * heartbeat removes its presence members and announces member_removed. Cleanup after a
   * crash therefore takes at most `nodeTtlMs + heartbeatMs`.
   * @default 5000
   */
  nodeTtlMs?: number;
  /**
   * How long a cluster query (channel counts, connection count, terminate) waits for the
   * other nodes before answering with the replies it has.
   * @default 1000
   */
  queryTimeoutMs?: number;
  /**
   * Where state changes (Redis lost / back, dead nodes swept) are logged, once per change.
   * @default the console
   */
  logger?: ServerLogger;
  /** Builds the two Redis connections. @default ioredis clients, loaded lazily */
  createClients?: (target: RedisTarget, nodeId: string) => Promise<ScalingClients>;
}

/** What `GET /up` reports about the cluster link. */
export interface ScalingHealth {
  /** `degraded` while Redis is unreachable: local subscribers are still served. */
  status: 'ok' | 'degraded';
  scaling: {
    redis: 'connected' | 'disconnected';
    /** This node's id in the cluster. */
    node: string;
    /** Cluster publishes dropped while Redis was unreachable (delivered locally only). */
    droppedPublishes: number;
    /** On a Redis Cluster: each master, its slot count and whether it answers. */
    shards?: ShardState[];
  };
}
