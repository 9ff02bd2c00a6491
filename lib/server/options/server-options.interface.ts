import type { LocalBroadcastHub } from '../../drivers/local-hub.js';
import type { LogFormat, LogLevel } from '../../shared/logger.js';
import type { ServerMetricsOptions } from '../metrics/metrics-options.interface.js';
import type { WebhookEventName } from '../../webhooks/webhook-event.js';

/** The server's Redis, for delivery and scaling; unset fields come from the module's `redis`. */
export interface ServerRedisOptions {
  /** @default BROADCASTING_REDIS_URL */
  url?: string;
  /** @default BROADCASTING_REDIS_PREFIX */
  prefix?: string;
  /**
   * Seed nodes of a Redis Cluster (`host:port`); wins over `url`. Scaling then runs over
   * sharded pub/sub, and Redis delivery listens on the cluster (docs/scaling.md#redis-cluster).
   * @default BROADCASTING_REDIS_CLUSTER
   */
  cluster?: string[];
  /**
   * Listen to the redis driver with SSUBSCRIBE (it SPUBLISHes) instead of SUBSCRIBE, which
   * hears Laravel's classic PUBLISH. Needs `cluster`.
   * @default BROADCASTING_REDIS_SHARDED, else false
   */
  sharded?: boolean;
}

/** One Pusher-protocol application served by the broadcast server. */
export interface ServerAppOptions {
  /** App id, used in the HTTP API path `/apps/{id}`. */
  id: string;
  /** Public key, used in the WebSocket path `/app/{key}` and in `key:signature` auth strings. */
  key: string;
  /** Secret that signs channel auth and HTTP API requests. Never logged. */
  secret: string;
  /**
   * A disabled app refuses connections with `pusher:error` 4003.
   * @default true
   */
  enabled?: boolean;
  /**
   * Most simultaneous connections; the next one gets 4004. `0` or omitted means unlimited.
   * @default 0
   */
  maxConnections?: number;
  /**
   * Allow `client-*` events (whispers) on private and presence channels.
   * @default true
   */
  enableClientMessages?: boolean;
  /**
   * Origins allowed to connect (`https://app.example.com`, `*` for any). Others get 4009.
   * @default ['*']
   */
  allowedOrigins?: string[];
  /**
   * Per-app limits; every field has a safe default.
   */
  limits?: ServerAppLimits;
  /**
   * What this app listens to on Redis (Redis delivery, see the server's `redis` option):
   * the broadcasts published on `prefix + channel`, which is how the redis driver (or a
   * Laravel app) of this app publishes with its own `BROADCASTING_REDIS_PREFIX`. Two apps
   * may not share a prefix.
   * @default the first app: the server's Redis prefix; the others: none (no Redis delivery)
   */
  redis?: { prefix?: string };
  /**
   * Pusher-format webhooks (docs/webhooks.md): signed POSTs to each `url`, batched (250 ms or
   * 20 events), sent once per cluster and retried until delivered or the retry window ends.
   * @default [] (none)
   */
  webhooks?: ServerWebhookOptions[];
  /**
   * Report `subscription_count` events (webhooks and Nest events) when a non-presence
   * channel's subscription count changes, as Pusher does once an app turns it on.
   * @default false
   */
  subscriptionCountEvents?: boolean;
}

/** One webhook of an app: where it is sent and which events it carries. */
export interface ServerWebhookOptions {
  /** Where to POST: an `http://` or `https://` URL. */
  url: string;
  /**
   * Only these events (unknown names are refused at start).
   * @default every event (`subscription_count` only once the app turns it on)
   */
  eventTypes?: WebhookEventName[];
  /** Only events of channels whose name starts and/or ends so. @default every channel */
  filter?: { channelNameStartsWith?: string; channelNameEndsWith?: string };
  /**
   * Extra request headers; they never replace `X-Pusher-Key`, `X-Pusher-Signature` or
   * `Content-Type`.
   * @default {}
   */
  headers?: Record<string, string>;
}

/** How every webhook of the server is delivered. */
export interface ServerWebhookDeliveryOptions {
  /**
   * Seconds a receiver has to answer before the attempt counts as failed and is retried.
   * @default 4 (BROADCASTING_WEBHOOK_TIMEOUT_SECONDS)
   */
  timeoutSeconds?: number;
  /**
   * Seconds from a webhook's first attempt during which failures are retried with
   * exponential backoff; then it is dropped with a warning (and counted). `0`: no retries.
   * @default 300 (BROADCASTING_WEBHOOK_RETRY_WINDOW_SECONDS)
   */
  retryWindowSeconds?: number;
  /**
   * Most webhook requests waiting (to be sent or retried) per app; beyond it new ones are
   * dropped and counted, so a dead receiver cannot grow memory (or Redis) without bound.
   * @default 10000 (BROADCASTING_WEBHOOK_MAX_PENDING)
   */
  maxPendingPerApp?: number;
}

export interface ServerAppLimits {
  /**
   * Largest event `data` accepted from the HTTP API or a client event, in bytes (413 / 4301-range error).
   * @default 10240
   */
  maxEventBytes?: number;
  /**
   * Most channels in one HTTP API trigger.
   * @default 100
   */
  maxChannelsPerEvent?: number;
  /**
   * Most events in one `batch_events` call.
   * @default 10
   */
  maxBatchSize?: number;
  /**
   * Client events a connection may send per second before it is refused (4301).
   * @default 10
   */
  clientEventsPerSecond?: number;
  /**
   * Most members in one presence channel.
   * @default 100
   */
  maxPresenceMembers?: number;
  /**
   * Largest presence `user_info` (the `channel_data` string), in bytes.
   * @default 1024
   */
  maxPresenceMemberBytes?: number;
  /**
   * Most channels one connection may be subscribed to at once; the next subscription is
   * refused with `pusher:subscription_error` (type `LimitReached`, status 4301) and the
   * connection stays open. Each subscription costs the server a few hundred bytes.
   * @default 1000
   */
  maxChannelsPerConnection?: number;
}

/** How the server logs (see docs/deployment.md#logs). */
export interface ServerLogOptions {
  /**
   * `error`, `warn`, `info` (listening addresses, cluster membership, Redis outages,
   * shutdown) or `debug` (also every connection, subscription and close code).
   * @default 'info' (BROADCASTING_LOG_LEVEL)
   */
  level?: LogLevel;
  /**
   * `text`, or `json`: one JSON object per line (`time`, `level`, `msg`, fields), info and
   * debug on stdout, warn and error on stderr. Applies where the server writes to the
   * console itself (startBroadcastServer without a `logger`, the bin, and
   * BroadcastServerModule instead of Nest's Logger when set to `json`).
   * @default 'text' (BROADCASTING_LOG_FORMAT)
   */
  format?: LogFormat;
}

/** TLS on the server's own port: `wss://` and `https://` on the same port. */
export interface ServerTlsOptions {
  /** Path of the certificate chain (PEM). @default BROADCASTING_SERVER_TLS_CERT */
  cert: string;
  /** Path of the private key (PEM). @default BROADCASTING_SERVER_TLS_KEY */
  key: string;
  /** Path of extra CA certificates (PEM), if the chain needs them. @default BROADCASTING_SERVER_TLS_CA */
  ca?: string;
}

/** Options of the broadcast server, for `startBroadcastServer` and `BroadcastServerModule.forRoot`. */
export interface BroadcastServerOptions {
  /**
   * Apps served. When omitted, one app from BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET.
   */
  apps?: ServerAppOptions[];
  /**
   * Interface to listen on when the server has its own port.
   * @default '127.0.0.1' (BROADCASTING_SERVER_HOST)
   */
  host?: string;
  /**
   * Port when the server has its own port; `0` picks a free one.
   * @default 6001 (BROADCASTING_SERVER_PORT)
   */
  port?: number;
  /**
   * Seconds of silence after which the server pings a connection (sent to clients as
   * `activity_timeout`); a connection that stays silent for another `pongTimeout` is closed with 4201.
   * @default 30
   */
  activityTimeout?: number;
  /**
   * Seconds to wait for a pong after the server's ping.
   * @default 30
   */
  pongTimeout?: number;
  /**
   * Largest incoming WebSocket frame in bytes; larger frames close the connection (1009).
   * @default 102400
   */
  maxPayloadBytes?: number;
  /**
   * Most bytes a connection may have waiting in its send buffer; a slower consumer is
   * closed with 4100 so one slow client cannot grow the server's memory.
   * @default 1048576
   */
  maxBufferedBytes?: number;
  /**
   * In-process hub the `local` driver publishes on.
   * @default the package's shared hub
   */
  localHub?: LocalBroadcastHub | false;
  /**
   * Deliver broadcasts published on Redis by the `redis` driver (or by a Laravel app) in
   * Laravel's body format. `true` uses BROADCASTING_REDIS_URL and _PREFIX (or the config
   * file's `redis`); `false` turns it off.
   * @default automatic in startBroadcastServer / BroadcastServerModule / the bin: on when the
   * default connection is `redis` (BROADCASTING_DEFAULT) or a Redis URL is configured
   * (BROADCASTING_REDIS_URL or the config file's `redis.url`), off otherwise. A bare
   * `PusherServerEngine` never reads Redis itself.
   */
  redis?: boolean | ServerRedisOptions;
  /**
   * `'redis'`: join the other server nodes on the same Redis and prefix (docs/scaling.md).
   * @default BROADCASTING_SERVER_SCALING (or the config file's `server.scaling`); unset: one node
   */
  scaling?: 'redis';
  /**
   * Worker processes on one port, for `nestjs-broadcasting serve` (`--workers`): the bin's
   * primary process forks them; each is a node of the Redis scaling with `scaling: 'redis'`,
   * else they are joined through the primary (one machine). The config file's
   * `server.workers` and BROADCASTING_SERVER_WORKERS are read by the bin only; given here,
   * in code, anything above 1 is refused, since `startBroadcastServer` and
   * `BroadcastServerModule` serve from the one process they run in.
   * @default 1 (BROADCASTING_SERVER_WORKERS; `'auto'`: one per core)
   */
  workers?: number | 'auto';
  /**
   * Prometheus metrics on a port of their own; `false` turns them off even when
   * BROADCASTING_METRICS_PORT is set.
   * @default off, unless BROADCASTING_METRICS_PORT (or the config file's `server.metrics`) sets a port
   */
  metrics?: ServerMetricsOptions | false;
  /** Log level and format. @default { level: 'info', format: 'text' } */
  log?: ServerLogOptions;
  /**
   * Serve `wss://` and `https://` on the server's own port. Not for a server sharing a
   * Nest app's port: give the app `httpsOptions` instead.
   * @default off (BROADCASTING_SERVER_TLS_CERT / _KEY / _CA)
   */
  tls?: ServerTlsOptions;
  /**
   * Most seconds a shutdown may take. On close (SIGTERM for the bin) the server stops
   * accepting connections, closes every socket with 4200 (clients reconnect at once,
   * elsewhere), and waits for their closing handshakes and the cluster's goodbye; what is
   * still open when the grace runs out is cut.
   * @default 10 (BROADCASTING_SHUTDOWN_GRACE_SECONDS)
   */
  shutdownGraceSeconds?: number;
  /** Timeout, retry window and queue cap of every app's webhooks (docs/webhooks.md). */
  webhooks?: ServerWebhookDeliveryOptions;
}
