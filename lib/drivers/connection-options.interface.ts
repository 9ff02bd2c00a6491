import type { LocalBroadcastHub } from './local-hub.js';

/** Options of a connection using the `redis` driver. */
export interface RedisConnectionOptions {
  driver: 'redis' | 'redis-pubsub';
  /**
   * An ioredis client to publish with. The package never closes a client it was given.
   * @default undefined (a client is created from `url` / `redisOptions` and quit on shutdown)
   */
  client?: unknown;
  /**
   * Redis URL for the client the driver creates.
   * @default BROADCASTING_REDIS_URL, else 'redis://127.0.0.1:6379'
   */
  url?: string;
  /**
   * Seed nodes of a Redis Cluster (`host:port`) for the client the driver creates; wins over
   * `url`. A connection that sets `url` but not `cluster` uses that one Redis.
   * @default BROADCASTING_REDIS_CLUSTER when the connection sets no `url`, else unset
   */
  cluster?: string[];
  /**
   * SPUBLISH (sharded pub/sub) instead of PUBLISH, on a Redis Cluster (ignored on one Redis).
   * Only a server listening with `redis.sharded` hears it; Laravel Echo Server, Reverb and
   * Soketi listen with SUBSCRIBE.
   * @default BROADCASTING_REDIS_SHARDED, else false
   */
  sharded?: boolean;
  /**
   * ioredis options for the client the driver creates (merged over the URL).
   * @default {}
   */
  redisOptions?: Record<string, unknown>;
  /**
   * Prefix of every published Redis channel.
   * @default BROADCASTING_REDIS_PREFIX, else ''
   */
  prefix?: string;
}

/** Options of a connection using the `pusher` driver (Pusher, or this package's server). */
export interface PusherConnectionOptions {
  driver: 'pusher';
  /** @default BROADCASTING_APP_ID */
  appId?: string;
  /** @default BROADCASTING_APP_KEY */
  key?: string;
  /** @default BROADCASTING_APP_SECRET */
  secret?: string;
  /** @default BROADCASTING_PUSHER_HOST, else Pusher's hosted API */
  host?: string;
  /** @default BROADCASTING_PUSHER_PORT, else the scheme's port */
  port?: number;
  /** @default BROADCASTING_PUSHER_SCHEME, else 'https' */
  scheme?: 'http' | 'https';
  /** @default BROADCASTING_PUSHER_CLUSTER */
  cluster?: string;
  /**
   * Request timeout in milliseconds.
   * @default the SDK's (none)
   */
  timeout?: number;
}

/** Options of a connection using the `local` driver. */
export interface LocalConnectionOptions {
  driver: 'local';
  /**
   * Hub to publish on; an embedded broadcast server subscribes to the same hub.
   * @default the package's shared `defaultLocalHub`
   */
  hub?: LocalBroadcastHub;
  /**
   * The id of the server app these broadcasts are for, when the embedded server serves
   * several apps (one `local` connection per app).
   * @default the server's first app
   */
  appId?: string;
}

/** Options of a connection using the `log` driver. */
export interface LogConnectionOptions {
  driver: 'log';
  /**
   * Log the whole payload, not only its keys. Payloads may hold personal data.
   * @default the module's `logPayload`, else false
   */
  logPayload?: boolean;
}

/** Options of a connection using a driver registered with `drivers` / `extend()`. */
export interface CustomConnectionOptions {
  driver: string;
  [option: string]: unknown;
}

export type BroadcastConnectionOptions =
  | { driver: 'null' }
  | LogConnectionOptions
  | RedisConnectionOptions
  | PusherConnectionOptions
  | LocalConnectionOptions
  | CustomConnectionOptions;
