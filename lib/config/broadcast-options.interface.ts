import type {
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
  Provider,
  Type,
} from '@nestjs/common';
import type { BroadcastAuthOptions } from '../auth/auth-options.interface.js';
import type { Broadcaster } from '../drivers/broadcaster.interface.js';
import type { LocalBroadcastHub } from '../drivers/local-hub.js';
import type { ResolvedBroadcastConfig } from './resolved-config.interface.js';

/** Names of the drivers that ship with the package (`redis-pubsub` is an alias of `redis`). */
export type BuiltinDriverName = 'null' | 'log' | 'redis' | 'redis-pubsub' | 'pusher' | 'local';

/** Where an auto-broadcast failed, handed to `onError` with the error. */
export interface BroadcastErrorContext {
  /** Broadcast event name (`broadcastAs`). */
  event: string;
  channels: string[];
  /** Connection whose driver failed. */
  connection: string;
}

/** A driver factory registered with `drivers` or `BroadcastManager.extend()`. */
export type BroadcasterFactory = (
  connection: BroadcastConnectionOptions & { name: string },
  config: ResolvedBroadcastConfig,
) => Broadcaster;

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

/**
 * Options of `BroadcastModule.forRoot()`. Every configuration key may also come from a
 * config file or a `BROADCASTING_*` environment variable; an option given here wins.
 */
export interface BroadcastModuleOptions {
  /**
   * Default connection: a built-in driver name or a key of `connections`.
   * @default BROADCASTING_DEFAULT, else 'null'
   */
  default?: string;
  /** Pusher-protocol credentials. @default BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET */
  app?: { id?: string; key?: string; secret?: string };
  /** @default { url: BROADCASTING_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: BROADCASTING_REDIS_PREFIX ?? '' } */
  redis?: { url?: string; prefix?: string };
  /** Where the pusher driver sends. @default BROADCASTING_PUSHER_HOST / _PORT / _SCHEME / _CLUSTER */
  pusher?: { host?: string; port?: number; scheme?: 'http' | 'https'; cluster?: string };
  /** @default BROADCASTING_AUTH_ENDPOINT, else '/broadcasting/auth' */
  authEndpoint?: string;
  /** @default BROADCASTING_USER_AUTH_ENDPOINT, else '/broadcasting/user-auth' */
  userAuthEndpoint?: string;
  /** Base64 of 32 bytes, for private-encrypted channels. @default BROADCASTING_ENCRYPTION_MASTER_KEY */
  encryptionMasterKey?: string;
  /** @default { host: BROADCASTING_SERVER_HOST ?? '127.0.0.1', port: BROADCASTING_SERVER_PORT ?? 6001 } */
  server?: { host?: string; port?: number; scaling?: 'redis' };
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
