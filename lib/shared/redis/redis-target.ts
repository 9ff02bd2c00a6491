import { maskRedisUrl } from './redis-url.js';

/**
 * Where a Redis client connects: one Redis by URL, or a Redis Cluster by its seed nodes.
 * `cluster` wins over `url` (BROADCASTING_REDIS_CLUSTER over BROADCASTING_REDIS_URL).
 */
export interface RedisTarget {
  url: string;
  /** Seed nodes of a Redis Cluster, `host:port` or `redis[s]://[user:password@]host:port`. */
  cluster?: readonly string[];
}

/** One seed node as ioredis's `Cluster` takes it, with the credentials its URL carried. */
export interface ClusterSeed {
  host: string;
  port: number;
  username?: string;
  password?: string;
  tls?: boolean;
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[^\s:/@[\]]+):(\d{1,5})$/;

/** A seed node's address, or undefined when it is neither `host:port` nor a Redis URL with a port. */
export function parseClusterSeed(entry: string): ClusterSeed | undefined {
  const text = entry.trim();
  const plain = HOST_PORT.exec(text);
  if (plain) return portOk({ host: plain[1].replace(/^\[|\]$/g, ''), port: Number(plain[2]) });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!['redis:', 'rediss:'].includes(url.protocol) || !url.hostname || !url.port) return undefined;
  return portOk({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: true } : {}),
  });
}

function portOk(seed: ClusterSeed): ClusterSeed | undefined {
  return seed.port > 0 && seed.port <= 65535 ? seed : undefined;
}

/**
 * Whether a client is an ioredis `Cluster`: ioredis sets `isCluster` on both its classes
 * (false on `Redis`), so a client the app hands over is told apart without loading ioredis.
 */
export function isRedisCluster(client: unknown): boolean {
  return (client as { isCluster?: unknown } | null | undefined)?.isCluster === true;
}

/** A cluster seed fit for messages and logs: a seed URL's password masked, host:port as is. */
export function maskRedisSeed(seed: string): string {
  return seed.includes('://') ? maskRedisUrl(seed) : seed;
}

/** A target fit for messages and logs: the URL or every seed with its password masked. */
export function describeRedisTarget(target: RedisTarget): string {
  if (!target.cluster?.length) return maskRedisUrl(target.url);
  return `Redis Cluster ${target.cluster.map(maskRedisSeed).join(',')}`;
}
