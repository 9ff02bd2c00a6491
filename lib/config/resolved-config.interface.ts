import type { ConfigSource } from '../errors/broadcast.exception.js';
import type { BroadcastConnectionOptions } from '../drivers/connection-options.interface.js';
import type { LogFormat, LogLevel } from '../shared/logger.js';
import type { ResolvedQueueConfig } from '../queue/queue-options.interface.js';

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
  /**
   * BROADCASTING_REDIS_URL, _PREFIX, _CLUSTER (seed nodes; when set, they win over the URL)
   * and _SHARDED (the redis driver SPUBLISHes, Redis delivery SSUBSCRIBEs).
   */
  redis: { url: string; prefix: string; cluster?: string[]; sharded?: boolean };
  /** Where the pusher driver sends (BROADCASTING_PUSHER_HOST / _PORT / _SCHEME / _CLUSTER). */
  pusher: { host?: string; port?: number; scheme?: 'http' | 'https'; cluster?: string };
  /** BROADCASTING_AUTH_ENDPOINT / BROADCASTING_USER_AUTH_ENDPOINT. */
  authEndpoint: string;
  userAuthEndpoint: string;
  /** BROADCASTING_ENCRYPTION_MASTER_KEY (base64, 32 bytes), for private-encrypted channels. */
  encryptionMasterKey?: string;
  /**
   * The broadcast server's keys: those with an environment variable resolved through the
   * cascade, and the config file's whole `server` object (checked) for the server to apply.
   */
  server: ResolvedServerConfig;
  /** BROADCASTING_AFTER_COMMIT: hold events until their transaction commits, by default. */
  afterCommit?: boolean;
  /** Queued broadcasts (BROADCASTING_QUEUE_*); undefined when queueing is off. */
  queue?: ResolvedQueueConfig;
  /** The config file that was read, if any. */
  file?: string;
  /**
   * Named connections from the module options merged over the config file's (by name).
   * Built-in driver names need no entry.
   */
  connections?: Record<string, BroadcastConnectionOptions>;
  /** Where each dotted key's value came from, e.g. `sources['app.key'] === 'env'`. */
  sources: Record<string, ConfigSource>;
}

/** The `server` section after the cascade; see {@link ResolvedBroadcastConfig.server}. */
export interface ResolvedServerConfig {
  /** BROADCASTING_SERVER_HOST / _PORT / _SCALING. */
  host: string;
  port: number;
  scaling?: 'redis';
  /** BROADCASTING_SERVER_WORKERS: processes `nestjs-broadcasting serve` runs ("auto" resolved). */
  workers: number;
  /** BROADCASTING_LOG_LEVEL / _LOG_FORMAT. */
  log: { level: LogLevel; format: LogFormat };
  /** BROADCASTING_SHUTDOWN_GRACE_SECONDS. */
  shutdownGraceSeconds: number;
  /** BROADCASTING_METRICS_PORT. */
  metrics?: { port?: number };
  /** BROADCASTING_WEBHOOK_TIMEOUT_SECONDS / _RETRY_WINDOW_SECONDS / _MAX_PENDING. */
  webhooks: { timeoutSeconds: number; retryWindowSeconds: number; maxPendingPerApp: number };
  /** BROADCASTING_SERVER_TLS_CERT / _KEY / _CA: file paths. */
  tls?: { cert?: string; key?: string; ca?: string };
  /**
   * The config file's `server` object, checked against the server's schema (apps,
   * timeouts, limits, metrics, ...); `{}` without a file or without the key.
   */
  fromFile: Record<string, unknown>;
}
