import type { ConfigSource } from '../errors/broadcast.exception.js';
import type { BroadcastConnectionOptions } from '../drivers/connection-options.interface.js';

/**
 * Configuration after the cascade (option > config file > BROADCASTING_* env > default)
 * has been applied key by key. Shared by BroadcastModule, the auth endpoints, the
 * server and the `nestjs-broadcasting serve` bin, so every part reads the same keys.
 */
export interface ResolvedBroadcastConfig {
  /** Name of the default connection (BROADCASTING_DEFAULT). */
  default: string;
  /** Pusher-protocol credentials (BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET). */
  app: { id?: string; key?: string; secret?: string };
  /** BROADCASTING_REDIS_URL and BROADCASTING_REDIS_PREFIX. */
  redis: { url: string; prefix: string };
  /** Where the pusher driver sends (BROADCASTING_PUSHER_HOST / _PORT / _SCHEME / _CLUSTER). */
  pusher: { host?: string; port?: number; scheme?: 'http' | 'https'; cluster?: string };
  /** BROADCASTING_AUTH_ENDPOINT / BROADCASTING_USER_AUTH_ENDPOINT. */
  authEndpoint: string;
  userAuthEndpoint: string;
  /** BROADCASTING_ENCRYPTION_MASTER_KEY (base64, 32 bytes), for private-encrypted channels. */
  encryptionMasterKey?: string;
  /** BROADCASTING_SERVER_HOST / _PORT / _SCALING, and BROADCASTING_METRICS_PORT. */
  server: { host: string; port: number; scaling?: 'redis'; metrics?: { port: number } };
  /**
   * Named connections from the module options merged over the config file's (by name).
   * Built-in driver names need no entry.
   */
  connections?: Record<string, BroadcastConnectionOptions>;
  /** Where each dotted key's value came from, e.g. `sources['app.key'] === 'env'`. */
  sources: Record<string, ConfigSource>;
}
