import type {
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
  Provider,
  Type,
} from '@nestjs/common';
import type { BroadcastAuthOptions } from '../auth/auth-options.interface.js';
import type { Broadcaster } from '../drivers/broadcaster.interface.js';
import type { BroadcastConnectionOptions } from '../drivers/connection-options.interface.js';
import type { NamedConnectionOptions } from '../drivers/driver-factory.interface.js';
import type { BroadcastQueueOptions } from '../queue/queue-options.interface.js';
import type { BroadcastTransactionHooks } from '../transactions/transaction-hooks.interface.js';
import type { ResolvedBroadcastConfig } from './resolved-config.interface.js';

/** Where an auto-broadcast failed, handed to `onError` with the error. */
export interface BroadcastErrorContext {
  /** Broadcast event name (`broadcastAs`). */
  event: string;
  channels: string[];
  /** Connection whose driver failed. */
  connection: string;
}

/**
 * A driver factory registered with `drivers` or `BroadcastManager.extend()`. It gets the
 * connection's options (with its name) and the whole resolved configuration.
 */
export type BroadcasterFactory = (
  connection: NamedConnectionOptions,
  config: ResolvedBroadcastConfig,
) => Broadcaster;

/**
 * Options of `BroadcastModule.forRoot()`. Every configuration key may also come from a
 * config file or a `BROADCASTING_*` environment variable; an option given here wins.
 */
/** The shared Redis: one server by URL, or a Redis Cluster (docs/scaling.md#redis-cluster). */
export interface BroadcastRedisOptions {
  /** @default BROADCASTING_REDIS_URL, else 'redis://127.0.0.1:6379' */
  url?: string;
  /** Prefix of every published Redis channel. @default BROADCASTING_REDIS_PREFIX, else '' */
  prefix?: string;
  /**
   * Seed nodes of a Redis Cluster (`host:port`, or `redis[s]://[user:password@]host:port`);
   * ioredis finds the rest. When set it wins over `url`: the redis driver, Redis delivery and
   * server scaling all run on the cluster.
   * @default BROADCASTING_REDIS_CLUSTER (comma-separated), else unset
   */
  cluster?: string[];
  /**
   * On a Redis Cluster, the redis driver SPUBLISHes and Redis delivery SSUBSCRIBEs (sharded
   * pub/sub: each channel lives on one shard), instead of the classic PUBLISH that Laravel's
   * redis broadcaster sends and that every cluster node copies to every other.
   * @default BROADCASTING_REDIS_SHARDED, else false
   */
  sharded?: boolean;
}

export interface BroadcastModuleOptions {
  /**
   * Default connection: a built-in driver name or a key of `connections`.
   * @default BROADCASTING_DEFAULT, else 'null'
   */
  default?: string;
  /** Pusher-protocol credentials. @default BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET */
  app?: { id?: string; key?: string; secret?: string };
  /** The Redis of the redis driver, Redis delivery and server scaling. */
  redis?: BroadcastRedisOptions;
  /** Where the pusher driver sends. @default BROADCASTING_PUSHER_HOST / _PORT / _SCHEME / _CLUSTER */
  pusher?: { host?: string; port?: number; scheme?: 'http' | 'https'; cluster?: string };
  /** @default BROADCASTING_AUTH_ENDPOINT, else '/broadcasting/auth' */
  authEndpoint?: string;
  /** @default BROADCASTING_USER_AUTH_ENDPOINT, else '/broadcasting/user-auth' */
  userAuthEndpoint?: string;
  /** Base64 of 32 bytes, for private-encrypted channels. @default BROADCASTING_ENCRYPTION_MASTER_KEY */
  encryptionMasterKey?: string;
  /** @default { host: BROADCASTING_SERVER_HOST ?? '127.0.0.1', port: BROADCASTING_SERVER_PORT ?? 6001 } */
  server?: {
    host?: string;
    port?: number;
    scaling?: 'redis';
    /**
     * Worker processes `nestjs-broadcasting serve` runs on one port (node:cluster): nodes of
     * the Redis scaling with `scaling: 'redis'`, else joined through the primary. `'auto'` is one
     * per core (`os.availableParallelism()`). Read by the bin only: a server started from
     * code serves from the process it runs in (docs/deployment.md, "Several workers").
     * @default 1 (BROADCASTING_SERVER_WORKERS)
     */
    workers?: number | 'auto';
  };
  /**
   * Named connections. The built-in driver names (`null`, `log`, `redis`, `pusher`,
   * `local`) are connections of their own driver without being listed here.
   * @default {}
   */
  connections?: Record<string, BroadcastConnectionOptions>;
  /**
   * Custom drivers by name, the same as calling `BroadcastManager.extend()` at boot.
   * @default {}
   */
  drivers?: Record<string, BroadcasterFactory>;
  /** Channel authorization endpoints (see the auth section). */
  auth?: BroadcastAuthOptions;
  /**
   * Called when an automatic broadcast (after an EventEmitter2 dispatch) fails. The failure
   * is logged either way and never reaches the code that emitted the event.
   * @default undefined
   */
  onError?: (error: unknown, context: BroadcastErrorContext) => void;
  /**
   * Queued broadcasts on BullMQ (docs/queues.md). `false` turns queueing off even when the
   * config file or a `BROADCASTING_QUEUE_*` variable sets it.
   * @default off, unless the config file's `queue` or a BROADCASTING_QUEUE_* variable is set
   */
  queue?: BroadcastQueueOptions | false;
  /**
   * Hold every broadcastable event dispatched inside a database transaction until it
   * commits (drop it on rollback), unless the event says `afterCommit: false`. Needs
   * `transactions`.
   * @default false (BROADCASTING_AFTER_COMMIT)
   */
  afterCommit?: boolean;
  /**
   * What tells the manager about database transactions, e.g.
   * `new TypeOrmTransactionHooks(dataSource)`; see docs/queues.md for other ORMs.
   * @default undefined (no transactions known: after-commit events go at once)
   */
  transactions?: BroadcastTransactionHooks;
  /**
   * Let the `log` driver log whole payloads instead of their keys.
   * @default false
   */
  logPayload?: boolean;
  /**
   * Register the module globally so every module can inject `BroadcastManager`.
   * @default true
   */
  global?: boolean;
}

/** A class that builds the options, for `forRootAsync({ useClass | useExisting })`. */
export interface BroadcastOptionsFactory {
  createBroadcastOptions(): BroadcastModuleOptions | Promise<BroadcastModuleOptions>;
}

/** Options of `BroadcastModule.forRootAsync()`. */
export interface BroadcastModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Builds the options from the providers listed in `inject`. */
  useFactory?: (...args: any[]) => BroadcastModuleOptions | Promise<BroadcastModuleOptions>;
  /** Providers passed to `useFactory`, in order. @default [] */
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  /** A class the module instantiates to call its `createBroadcastOptions()`. */
  useClass?: Type<BroadcastOptionsFactory>;
  /** An existing provider (from `imports`) whose `createBroadcastOptions()` is called. */
  useExisting?: InjectionToken;
  /** Providers the factory or class needs that no imported module provides. @default [] */
  extraProviders?: Provider[];
  /**
   * Register the module globally. Decided here, not by the options the factory returns.
   * @default true
   */
  global?: boolean;
}
