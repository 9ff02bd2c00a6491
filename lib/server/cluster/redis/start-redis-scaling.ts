import type { ResolvedBroadcastConfig } from '../../../config/resolved-config.interface.js';
import type { PublishTarget } from '../../engine/engine-surface.js';
import type { ServerLogger } from '../../../shared/logger.js';
import type { ResolvedServerOptions } from '../../options/resolved-server-options.interface.js';
import type { ServerAdapter } from '../server-adapter.interface.js';
import { RedisScalingAdapter } from './redis-scaling.adapter.js';

/** Suffix of the scaling namespace after BROADCASTING_REDIS_PREFIX. */
export const SCALING_NAMESPACE = 'nestjs-broadcasting:';

/**
 * The adapter for `scaling: 'redis'`: the Redis of the server's `redis` option when it has
 * one, else BROADCASTING_REDIS_URL; the namespace is the Redis prefix (BROADCASTING_REDIS_PREFIX
 * or `redis.prefix`) followed by `nestjs-broadcasting:`, so apps or environments with
 * different prefixes never see each other's nodes.
 */
export function startRedisScaling(
  resolved: ResolvedServerOptions,
  config: ResolvedBroadcastConfig,
  logger: ServerLogger,
): Promise<RedisScalingAdapter> {
  const redis = resolved.redis || config.redis;
  return RedisScalingAdapter.start({
    url: redis.url,
    cluster: redis.cluster,
    namespace: `${redis.prefix}${SCALING_NAMESPACE}`,
    logger,
  });
}

/**
 * Where Laravel's Redis broadcasts go on a scaled node: to this node's sockets only. Every
 * node subscribed to the channel receives the message from Redis itself, so relaying it
 * as well would deliver it once per node.
 */
export function thisNodeOnlyTarget(adapter: ServerAdapter): PublishTarget {
  return {
    publish: (appId, channels, event, data, exceptSocketId) =>
      adapter.publish({
        appId,
        channels,
        event,
        data,
        exceptSocketId,
        cache: true,
        thisNodeOnly: true,
      }),
  };
}
