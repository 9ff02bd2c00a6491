/**
 * Every configuration key of the cascade, with its environment variable and default.
 * One table so the resolver, its error messages and the README cannot drift apart.
 */
export interface ConfigKey {
  /** Dotted path in the options / config file, e.g. `redis.url`. */
  path: string;
  env: string;
  default?: string | number;
  /** Masked in error messages and logs. */
  secret?: boolean;
  kind:
    | 'string'
    | 'port'
    | 'url'
    | 'scheme'
    | 'path'
    | 'host'
    | 'scaling'
    | 'base64-key'
    | 'log-level'
    | 'log-format'
    | 'file'
    | 'seconds'
    | 'boolean'
    | 'count'
    | 'whole'
    | 'backoff'
    | 'queue-name'
    | 'workers'
    | 'http-url'
    | 'redis-nodes'
    | 'flag';
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { path: 'default', env: 'BROADCASTING_DEFAULT', default: 'null', kind: 'string' },
  {
    path: 'redis.url',
    env: 'BROADCASTING_REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    kind: 'url',
    secret: true,
  },
  { path: 'redis.prefix', env: 'BROADCASTING_REDIS_PREFIX', default: '', kind: 'string' },
  // Seeds may be URLs with a password: masked like redis.url.
  { path: 'redis.cluster', env: 'BROADCASTING_REDIS_CLUSTER', kind: 'redis-nodes', secret: true },
  { path: 'redis.sharded', env: 'BROADCASTING_REDIS_SHARDED', kind: 'flag' },
  { path: 'app.id', env: 'BROADCASTING_APP_ID', kind: 'string' },
  { path: 'app.key', env: 'BROADCASTING_APP_KEY', kind: 'string' },
  { path: 'app.secret', env: 'BROADCASTING_APP_SECRET', kind: 'string', secret: true },
  { path: 'pusher.host', env: 'BROADCASTING_PUSHER_HOST', kind: 'host' },
  { path: 'pusher.port', env: 'BROADCASTING_PUSHER_PORT', kind: 'port' },
  { path: 'pusher.scheme', env: 'BROADCASTING_PUSHER_SCHEME', kind: 'scheme' },
  { path: 'pusher.cluster', env: 'BROADCASTING_PUSHER_CLUSTER', kind: 'string' },
  {
    path: 'authEndpoint',
    env: 'BROADCASTING_AUTH_ENDPOINT',
    default: '/broadcasting/auth',
    kind: 'path',
  },
  {
    path: 'userAuthEndpoint',
    env: 'BROADCASTING_USER_AUTH_ENDPOINT',
    default: '/broadcasting/user-auth',
    kind: 'path',
  },
  {
    path: 'encryptionMasterKey',
    env: 'BROADCASTING_ENCRYPTION_MASTER_KEY',
    kind: 'base64-key',
    secret: true,
  },
  { path: 'server.host', env: 'BROADCASTING_SERVER_HOST', default: '127.0.0.1', kind: 'host' },
  { path: 'server.port', env: 'BROADCASTING_SERVER_PORT', default: 6001, kind: 'port' },
  { path: 'server.scaling', env: 'BROADCASTING_SERVER_SCALING', kind: 'scaling' },
  { path: 'server.workers', env: 'BROADCASTING_SERVER_WORKERS', default: 1, kind: 'workers' },
  { path: 'server.metrics.port', env: 'BROADCASTING_METRICS_PORT', kind: 'port' },
  { path: 'server.log.level', env: 'BROADCASTING_LOG_LEVEL', default: 'info', kind: 'log-level' },
  {
    path: 'server.log.format',
    env: 'BROADCASTING_LOG_FORMAT',
    default: 'text',
    kind: 'log-format',
  },
  { path: 'server.tls.cert', env: 'BROADCASTING_SERVER_TLS_CERT', kind: 'file' },
  { path: 'server.tls.key', env: 'BROADCASTING_SERVER_TLS_KEY', kind: 'file' },
  { path: 'server.tls.ca', env: 'BROADCASTING_SERVER_TLS_CA', kind: 'file' },
  {
    path: 'server.shutdownGraceSeconds',
    env: 'BROADCASTING_SHUTDOWN_GRACE_SECONDS',
    default: 10,
    kind: 'seconds',
  },
  {
    path: 'server.webhooks.timeoutSeconds',
    env: 'BROADCASTING_WEBHOOK_TIMEOUT_SECONDS',
    default: 4,
    kind: 'count',
  },
  {
    path: 'server.webhooks.retryWindowSeconds',
    env: 'BROADCASTING_WEBHOOK_RETRY_WINDOW_SECONDS',
    default: 300,
    kind: 'seconds',
  },
  {
    path: 'server.webhooks.maxPendingPerApp',
    env: 'BROADCASTING_WEBHOOK_MAX_PENDING',
    default: 10_000,
    kind: 'count',
  },
  // Queued broadcasts (lib/queue). The section is on when any of these is set (by option,
  // file or env); its defaults alone do not turn it on.
  { path: 'afterCommit', env: 'BROADCASTING_AFTER_COMMIT', default: 'false', kind: 'boolean' },
  { path: 'queue.url', env: 'BROADCASTING_QUEUE_URL', kind: 'url', secret: true },
  { path: 'queue.name', env: 'BROADCASTING_QUEUE_NAME', default: 'broadcasts', kind: 'queue-name' },
  { path: 'queue.prefix', env: 'BROADCASTING_QUEUE_PREFIX', default: 'bull', kind: 'queue-name' },
  { path: 'queue.default', env: 'BROADCASTING_QUEUE_DEFAULT', default: 'false', kind: 'boolean' },
  { path: 'queue.worker', env: 'BROADCASTING_QUEUE_WORKER', default: 'false', kind: 'boolean' },
  { path: 'queue.concurrency', env: 'BROADCASTING_QUEUE_CONCURRENCY', default: 1, kind: 'count' },
  { path: 'queue.attempts', env: 'BROADCASTING_QUEUE_ATTEMPTS', default: 3, kind: 'count' },
  {
    path: 'queue.backoff.type',
    env: 'BROADCASTING_QUEUE_BACKOFF_TYPE',
    default: 'exponential',
    kind: 'backoff',
  },
  {
    path: 'queue.backoff.delay',
    env: 'BROADCASTING_QUEUE_BACKOFF_DELAY',
    default: 1000,
    kind: 'whole',
  },
  {
    path: 'queue.keepFailed',
    env: 'BROADCASTING_QUEUE_KEEP_FAILED',
    default: 1000,
    kind: 'whole',
  },
  {
    path: 'queue.keepCompleted',
    env: 'BROADCASTING_QUEUE_KEEP_COMPLETED',
    default: 0,
    kind: 'whole',
  },
];

/** The entry of a dotted key; throws for a key not in the table (a bug, not a user error). */
export function configKey(path: string): ConfigKey {
  const key = CONFIG_KEYS.find((candidate) => candidate.path === path);
  if (!key) throw new Error(`No configuration key ${path}`);
  return key;
}

/**
 * `queue.prefix` when unset and the queue's Redis is a Redis Cluster: the hash tag puts all of a
 * queue's BullMQ keys in one slot, as its Lua scripts require (else Redis answers CROSSSLOT).
 */
export const QUEUE_CLUSTER_PREFIX = '{bull}';

/** The environment variable naming the config file. */
export const CONFIG_FILE_ENV = 'BROADCASTING_CONFIG';

/** Searched in this order under the working directory when BROADCASTING_CONFIG is unset. */
export const CONFIG_FILE_CANDIDATES = [
  'config/broadcasting.mjs',
  'config/broadcasting.js',
  'config/broadcasting.cjs',
  'config/broadcasting.json',
];
