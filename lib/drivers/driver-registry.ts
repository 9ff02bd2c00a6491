import type {
  BroadcasterFactory,
  LocalConnectionOptions,
  LogConnectionOptions,
  PusherConnectionOptions,
  RedisConnectionOptions,
} from '../config/broadcast-options.interface.js';
import { DRIVER_ALIASES } from '../config/resolve-config.js';
import { LocalBroadcaster } from './local.broadcaster.js';
import { LogBroadcaster } from './log.broadcaster.js';
import { NullBroadcaster } from './null.broadcaster.js';
import { PusherBroadcaster } from './pusher.broadcaster.js';
import type { RedisPublisher } from '../shared/redis/redis-clients.js';
import { RedisBroadcaster } from './redis.broadcaster.js';

/**
 * Factories of the drivers that ship with the package, under their names and their aliases
 * (DRIVER_ALIASES). Connection options win over the resolved configuration, so two
 * connections may use two Redis servers or two Pusher apps.
 */
export function builtinDrivers(defaults: {
  logPayload?: boolean;
}): Record<string, BroadcasterFactory> {
  const redis: BroadcasterFactory = (connection, config) => {
    const options = connection as RedisConnectionOptions & { name: string };
    return new RedisBroadcaster({
      connection: options.name,
      client: options.client as RedisPublisher | undefined,
      url: options.url ?? config.redis.url,
      redisOptions: options.redisOptions,
      prefix: options.prefix ?? config.redis.prefix,
    });
  };
  const drivers: Record<string, BroadcasterFactory> = {
    null: () => new NullBroadcaster(),
    log: (connection) =>
      new LogBroadcaster(
        (connection as LogConnectionOptions).logPayload ?? defaults.logPayload ?? false,
      ),
    local: (connection) => new LocalBroadcaster((connection as LocalConnectionOptions).hub),
    redis,
    pusher: (connection, config) => {
      const options = connection as PusherConnectionOptions & { name: string };
      return new PusherBroadcaster({
        connection: options.name,
        // Presence is checked at boot by resolveBroadcastConfig.
        appId: (options.appId ?? config.app.id)!,
        key: (options.key ?? config.app.key)!,
        secret: (options.secret ?? config.app.secret)!,
        host: options.host ?? config.pusher.host,
        port: options.port ?? config.pusher.port,
        scheme: options.scheme ?? config.pusher.scheme,
        cluster: options.cluster ?? config.pusher.cluster,
        timeout: options.timeout,
        encryptionMasterKey: config.encryptionMasterKey,
      });
    },
  };
  for (const [alias, target] of Object.entries(DRIVER_ALIASES)) drivers[alias] = drivers[target]!;
  return drivers;
}
