import { BroadcastDriverError } from '../../errors/broadcast.exception.js';
import { loadOptionalPackage } from '../optional-package.js';

/** ioredis's `Redis` class as this package constructs it; callers narrow the instance type. */
export type IoredisConstructor = new (url: string, options?: Record<string, unknown>) => unknown;

/** ioredis's `Cluster` class: seed nodes and the cluster's options. */
export type IoredisClusterConstructor = new (
  nodes: Array<{ host: string; port: number }>,
  options?: Record<string, unknown>,
) => unknown;

type IoredisModule = {
  Redis?: unknown;
  Cluster?: unknown;
  default?: { Redis?: unknown; Cluster?: unknown } | unknown;
};

/**
 * The `Redis` class of a loaded ioredis module: the named export when present, else
 * `.default.Redis` or `.default`, the CommonJS interop shapes a bundler or an older ioredis
 * gives.
 */
export function pickRedisClass(module: IoredisModule, neededBy: string): IoredisConstructor {
  const fallback = module.default as { Redis?: unknown } | undefined;
  const Redis = module.Redis ?? fallback?.Redis ?? fallback;
  if (typeof Redis !== 'function') {
    throw new BroadcastDriverError(
      `The installed "ioredis" exports no Redis class (needed by ${neededBy}); install ioredis 5 or later.`,
    );
  }
  return Redis as IoredisConstructor;
}

/**
 * Loads `ioredis`, an optional peer dependency, on first use and returns its `Redis` class.
 * `neededBy` names the feature in the "install ioredis" error.
 */
export async function loadIoredis(neededBy: string): Promise<IoredisConstructor> {
  return pickRedisClass(await loadOptionalPackage<IoredisModule>('ioredis', neededBy), neededBy);
}

/** ioredis's `Cluster` class, for `redis.cluster` (BROADCASTING_REDIS_CLUSTER). */
export async function loadIoredisCluster(neededBy: string): Promise<IoredisClusterConstructor> {
  const module = await loadOptionalPackage<IoredisModule>('ioredis', neededBy);
  const fallback = module.default as { Cluster?: unknown } | undefined;
  const Cluster = module.Cluster ?? fallback?.Cluster;
  if (typeof Cluster !== 'function') {
    throw new BroadcastDriverError(
      `The installed "ioredis" exports no Cluster class (needed by ${neededBy}); install ioredis 5.9 or later.`,
    );
  }
  return Cluster as IoredisClusterConstructor;
}
