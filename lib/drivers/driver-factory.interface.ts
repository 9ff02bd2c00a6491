import type { Broadcaster } from './broadcaster.interface.js';
import type { BroadcastConnectionOptions } from './connection-options.interface.js';

/**
 * The configured values a built-in driver falls back on when its connection does not set
 * them. Drivers declare only what they read; the resolved broadcast configuration has it all.
 */
export interface DriverDefaults {
  /** Pusher-protocol credentials (BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET). */
  app: { id?: string; key?: string; secret?: string };
  /** BROADCASTING_REDIS_URL, _PREFIX, _CLUSTER and _SHARDED. */
  redis: { url: string; prefix: string; cluster?: readonly string[]; sharded?: boolean };
  /** BROADCASTING_PUSHER_HOST / _PORT / _SCHEME / _CLUSTER. */
  pusher: { host?: string; port?: number; scheme?: 'http' | 'https'; cluster?: string };
  /** BROADCASTING_ENCRYPTION_MASTER_KEY, for private-encrypted channels. */
  encryptionMasterKey?: string;
}

/** A connection's options as its factory receives them: with the connection's name. */
export type NamedConnectionOptions = BroadcastConnectionOptions & { name: string };

/** Builds the broadcaster of one connection. */
export type DriverFactory = (
  connection: NamedConnectionOptions,
  defaults: DriverDefaults,
) => Broadcaster;
