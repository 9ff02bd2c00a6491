import type {
  LocalConnectionOptions,
  LogConnectionOptions,
  PusherConnectionOptions,
  RedisConnectionOptions,
} from './connection-options.interface.js';
import type { DriverFactory, NamedConnectionOptions } from './driver-factory.interface.js';
import { LocalBroadcaster } from './local.broadcaster.js';
import { LogBroadcaster } from './log.broadcaster.js';
import { NullBroadcaster } from './null.broadcaster.js';
import { PusherBroadcaster } from './pusher.broadcaster.js';
import type { RedisPublisher } from '../shared/redis/redis-clients.js';
import { RedisBroadcaster } from './redis.broadcaster.js';

/**
 * The drivers that ship with the package: the one list of their names, which the config
 * checks and their messages use (in this order).
 */
export const BUILTIN_DRIVERS = ['null', 'log', 'redis', 'pusher', 'local'] as const;

type BuiltinDriver = (typeof BUILTIN_DRIVERS)[number];

/** Other names of built-in drivers: `redis-pubsub` is the reference's name for `redis`. */
export const DRIVER_ALIASES = { 'redis-pubsub': 'redis' } as const satisfies Record<
  string,
  BuiltinDriver
>;

/** Names of the drivers that ship with the package (`redis-pubsub` is an alias of `redis`). */
export type BuiltinDriverName = BuiltinDriver | keyof typeof DRIVER_ALIASES;

/** The built-in driver a name stands for: an alias's target, else the name itself. */
export function canonicalDriverName(name: string): string {
  return Object.hasOwn(DRIVER_ALIASES, name)
    ? DRIVER_ALIASES[name as keyof typeof DRIVER_ALIASES]
    : name;
}

/**
 * Factories of the built-in drivers, under their names and their aliases. Connection
 * options win over the configured defaults, so two connections may use two Redis servers
 * or two Pusher apps. The compiler checks that every name of BUILTIN_DRIVERS has a factory;
 * their order here is the one an unknown-connection error lists them in.
 */
export function builtinDrivers(module: { logPayload?: boolean }): Record<string, DriverFactory> {
  const drivers = {
    null: () => new NullBroadcaster(),
    log: (connection: NamedConnectionOptions) =>
      new LogBroadcaster(
        (connection as LogConnectionOptions).logPayload ?? module.logPayload ?? false,
      ),
    local: (connection: NamedConnectionOptions) => {
      const { hub, appId } = connection as LocalConnectionOptions;
      return new LocalBroadcaster(hub, appId);
    },
    redis: (connection, defaults) => {
      const options = connection as RedisConnectionOptions & { name: string };
      // A connection's own URL means that one Redis, not the configured cluster.
      const cluster =
        options.cluster ?? (options.url === undefined ? defaults.redis.cluster : undefined);
      // Sharded only on a cluster (or a client the app built): delivery SSUBSCRIBEs only there.
      const sharded = options.sharded ?? defaults.redis.sharded ?? false;
      return new RedisBroadcaster({
        connection: options.name,
        client: options.client as RedisPublisher | undefined,
        url: options.url ?? defaults.redis.url,
        cluster,
        sharded: sharded && Boolean(cluster?.length || options.client),
        redisOptions: options.redisOptions,
        prefix: options.prefix ?? defaults.redis.prefix,
      });
    },
    pusher: (connection, defaults) => {
      const options = connection as PusherConnectionOptions & { name: string };
      return new PusherBroadcaster({
        connection: options.name,
        // Presence is checked at boot by resolveBroadcastConfig.
        appId: (options.appId ?? defaults.app.id)!,
        key: (options.key ?? defaults.app.key)!,
        secret: (options.secret ?? defaults.app.secret)!,
        host: options.host ?? defaults.pusher.host,
        port: options.port ?? defaults.pusher.port,
        scheme: options.scheme ?? defaults.pusher.scheme,
        cluster: options.cluster ?? defaults.pusher.cluster,
        timeout: options.timeout,
        encryptionMasterKey: defaults.encryptionMasterKey,
      });
    },
  } satisfies Record<BuiltinDriver, DriverFactory> as Record<string, DriverFactory>;
  for (const [alias, target] of Object.entries(DRIVER_ALIASES)) drivers[alias] = drivers[target]!;
  return drivers;
}
