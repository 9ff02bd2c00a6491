import { WEBHOOK_EVENT_NAMES } from '../webhooks/webhook-event.js';
import type { ConfigSchema } from './config-schema.js';

/**
 * The shape of the configuration: every key the config file may hold, and every option of
 * the broadcast server, in one table. The file is checked against {@link CONFIG_FILE_SCHEMA}
 * when it is loaded; `startBroadcastServer` / `BroadcastServerModule` options against
 * {@link SERVER_SCHEMA}. Keys with an environment variable are `keyed`: their type lives in
 * config-keys.ts, with the variable. Defaults of the other server keys live here.
 */

/** `apps[i].limits`: each guards the server's memory or CPU against one client or app. */
export const SERVER_APP_LIMITS_SCHEMA = {
  maxEventBytes: { kind: 'integer', min: 1, default: 10_240 },
  maxChannelsPerEvent: { kind: 'integer', min: 1, default: 100 },
  maxBatchSize: { kind: 'integer', min: 1, default: 10 },
  clientEventsPerSecond: { kind: 'integer', min: 1, default: 10 },
  maxPresenceMembers: { kind: 'integer', min: 1, default: 100 },
  maxPresenceMemberBytes: { kind: 'integer', min: 1, default: 1_024 },
  maxChannelsPerConnection: { kind: 'integer', min: 1, default: 1_000 },
} as const satisfies ConfigSchema;

/** `apps[i].webhooks[j]`: where and what one webhook of the app sends. */
export const SERVER_WEBHOOK_SCHEMA = {
  url: { kind: 'typed', as: 'http-url' },
  eventTypes: { kind: 'strings', oneOf: WEBHOOK_EVENT_NAMES },
  filter: {
    kind: 'object',
    fields: {
      channelNameStartsWith: { kind: 'string' },
      channelNameEndsWith: { kind: 'string' },
    },
  },
  headers: { kind: 'string-map' },
} as const satisfies ConfigSchema;

/** `apps[i]`. */
export const SERVER_APP_SCHEMA = {
  id: { kind: 'string', nonEmpty: true },
  key: { kind: 'string', nonEmpty: true },
  secret: { kind: 'string', nonEmpty: true, secret: true },
  enabled: { kind: 'boolean', default: true },
  maxConnections: { kind: 'integer', min: 0, default: 0 },
  enableClientMessages: { kind: 'boolean', default: true },
  allowedOrigins: { kind: 'strings' },
  limits: { kind: 'object', fields: SERVER_APP_LIMITS_SCHEMA },
  redis: { kind: 'object', fields: { prefix: { kind: 'string' } } },
  webhooks: { kind: 'list', of: SERVER_WEBHOOK_SCHEMA },
  subscriptionCountEvents: { kind: 'boolean', default: false },
} as const satisfies ConfigSchema;

/** The server's options, as `startBroadcastServer` takes them and the file's `server` holds them. */
export const SERVER_SCHEMA = {
  host: { kind: 'keyed', key: 'server.host' },
  port: { kind: 'keyed', key: 'server.port' },
  apps: { kind: 'list', of: SERVER_APP_SCHEMA, nonEmpty: true },
  activityTimeout: { kind: 'integer', min: 1, default: 30 },
  pongTimeout: { kind: 'integer', min: 1, default: 30 },
  maxPayloadBytes: { kind: 'integer', min: 256, default: 102_400 },
  maxBufferedBytes: { kind: 'integer', min: 1, default: 1_048_576 },
  localHub: {
    kind: 'code-only',
    hint: 'the hub is an object in your process; pass it to startBroadcastServer or BroadcastServerModule.',
  },
  redis: {
    kind: 'object',
    or: [true, false],
    fields: {
      url: { kind: 'typed', as: 'url', secret: true },
      prefix: { kind: 'string' },
      cluster: { kind: 'typed', as: 'redis-nodes', secret: true },
      sharded: { kind: 'boolean' },
    },
  },
  scaling: { kind: 'keyed', key: 'server.scaling' },
  workers: { kind: 'keyed', key: 'server.workers' },
  metrics: {
    kind: 'object',
    or: [false],
    fields: {
      port: { kind: 'keyed', key: 'server.metrics.port' },
      host: { kind: 'typed', as: 'host' },
      path: { kind: 'typed', as: 'path' },
      prefix: { kind: 'string', nonEmpty: true },
      defaultMetrics: { kind: 'boolean' },
    },
  },
  log: {
    kind: 'object',
    fields: {
      level: { kind: 'keyed', key: 'server.log.level' },
      format: { kind: 'keyed', key: 'server.log.format' },
    },
  },
  tls: {
    kind: 'object',
    fields: {
      cert: { kind: 'keyed', key: 'server.tls.cert' },
      key: { kind: 'keyed', key: 'server.tls.key' },
      ca: { kind: 'keyed', key: 'server.tls.ca' },
    },
  },
  shutdownGraceSeconds: { kind: 'keyed', key: 'server.shutdownGraceSeconds' },
  webhooks: {
    kind: 'object',
    fields: {
      timeoutSeconds: { kind: 'keyed', key: 'server.webhooks.timeoutSeconds' },
      retryWindowSeconds: { kind: 'keyed', key: 'server.webhooks.retryWindowSeconds' },
      maxPendingPerApp: { kind: 'keyed', key: 'server.webhooks.maxPendingPerApp' },
    },
  },
} as const satisfies ConfigSchema;

/** `queue`: queued broadcasts on BullMQ (lib/queue). */
export const QUEUE_SCHEMA = {
  // ioredis options ({ host, port, password, ... }) or { url }; a client only from code.
  connection: { kind: 'any' },
  url: { kind: 'keyed', key: 'queue.url' },
  name: { kind: 'keyed', key: 'queue.name' },
  queues: { kind: 'strings' },
  prefix: { kind: 'keyed', key: 'queue.prefix' },
  default: { kind: 'keyed', key: 'queue.default' },
  worker: { kind: 'keyed', key: 'queue.worker' },
  concurrency: { kind: 'keyed', key: 'queue.concurrency' },
  attempts: { kind: 'keyed', key: 'queue.attempts' },
  backoff: {
    kind: 'object',
    fields: {
      type: { kind: 'keyed', key: 'queue.backoff.type' },
      delay: { kind: 'keyed', key: 'queue.backoff.delay' },
    },
  },
  keepFailed: { kind: 'keyed', key: 'queue.keepFailed' },
  keepCompleted: { kind: 'keyed', key: 'queue.keepCompleted' },
} as const satisfies ConfigSchema;

const BY_CODE = 'pass it to BroadcastModule.forRoot() / forRootAsync() in your code.';

/** The whole config file (`BROADCASTING_CONFIG`, `--config` or `config/broadcasting.*`). */
export const CONFIG_FILE_SCHEMA = {
  default: { kind: 'keyed', key: 'default' },
  app: {
    kind: 'object',
    fields: {
      id: { kind: 'keyed', key: 'app.id' },
      key: { kind: 'keyed', key: 'app.key' },
      secret: { kind: 'keyed', key: 'app.secret' },
    },
  },
  redis: {
    kind: 'object',
    fields: {
      url: { kind: 'keyed', key: 'redis.url' },
      prefix: { kind: 'keyed', key: 'redis.prefix' },
      cluster: { kind: 'keyed', key: 'redis.cluster' },
      sharded: { kind: 'keyed', key: 'redis.sharded' },
    },
  },
  pusher: {
    kind: 'object',
    fields: {
      host: { kind: 'keyed', key: 'pusher.host' },
      port: { kind: 'keyed', key: 'pusher.port' },
      scheme: { kind: 'keyed', key: 'pusher.scheme' },
      cluster: { kind: 'keyed', key: 'pusher.cluster' },
    },
  },
  authEndpoint: { kind: 'keyed', key: 'authEndpoint' },
  userAuthEndpoint: { kind: 'keyed', key: 'userAuthEndpoint' },
  encryptionMasterKey: { kind: 'keyed', key: 'encryptionMasterKey' },
  server: { kind: 'object', fields: SERVER_SCHEMA },
  afterCommit: { kind: 'keyed', key: 'afterCommit' },
  queue: { kind: 'object', or: [false], fields: QUEUE_SCHEMA },
  transactions: {
    kind: 'code-only',
    hint: `transactions wraps your ORM (new TypeOrmTransactionHooks(dataSource)); ${BY_CODE}`,
  },
  // Checked once the drivers are known (validateConnections): their keys depend on the driver.
  connections: { kind: 'any' },
  drivers: { kind: 'code-only', hint: `drivers are functions; ${BY_CODE}` },
  auth: { kind: 'code-only', hint: `auth holds guards and callbacks; ${BY_CODE}` },
  onError: { kind: 'code-only', hint: `onError is a function; ${BY_CODE}` },
  logPayload: { kind: 'code-only', hint: BY_CODE },
  global: { kind: 'code-only', hint: BY_CODE },
} as const satisfies ConfigSchema;
