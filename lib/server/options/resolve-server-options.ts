import { defaultLocalHub } from '../../drivers/local-hub.js';
import { applyConfigCascade } from '../../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { BroadcastConfigError, type ConfigSource } from '../../errors/broadcast.exception.js';
import { resolveMetricsOptions } from '../metrics/resolve-metrics-options.js';
import type {
  ResolvedAppOptions,
  ResolvedServerOptions,
} from './resolved-server-options.interface.js';
import type {
  BroadcastServerOptions,
  ServerAppLimits,
  ServerAppOptions,
} from './server-options.interface.js';
import { ServerOptionsMessages } from './server-options-messages.js';

export const DEFAULT_APP_LIMITS: Readonly<Required<ServerAppLimits>> = Object.freeze({
  maxEventBytes: 10_240,
  maxChannelsPerEvent: 100,
  maxBatchSize: 10,
  clientEventsPerSecond: 10,
  maxPresenceMembers: 100,
  maxPresenceMemberBytes: 1_024,
});

// Host and port defaults live with the other configuration keys (config/config-keys.ts).
export const SERVER_DEFAULTS = Object.freeze({
  activityTimeout: 30,
  pongTimeout: 30,
  maxPayloadBytes: 102_400,
  maxBufferedBytes: 1_048_576,
});

/**
 * Fills defaults and validates. Apps come from `options.apps`, else one app from the
 * config cascade (`config.app`: BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET and friends).
 * Without a resolved `config`, the cascade is applied to the environment here, so a bare
 * engine reads the same keys, defaults and validation as the module and the bin.
 * Throws {@link BroadcastConfigError} naming the key to fix; secrets are never shown.
 */
export function resolveServerOptions(
  options: BroadcastServerOptions = {},
  config: ResolvedBroadcastConfig = applyConfigCascade({}, undefined, process.env),
): ResolvedServerOptions {
  const apps = options.apps
    ? options.apps.map((app, i) => resolveApp(app, `apps[${i}]`, 'option'))
    : [defaultApp(config)];
  if (apps.length === 0) throw new BroadcastConfigError(ServerOptionsMessages.noApps(), 'apps');
  assertUnique(apps, 'id');
  assertUnique(apps, 'key');

  const redis =
    options.redis === true
      ? { ...config.redis }
      : options.redis
        ? {
            url: options.redis.url ?? config.redis.url,
            prefix: options.redis.prefix ?? config.redis.prefix,
          }
        : false;

  const origin = (key: 'host' | 'port'): ConfigSource =>
    options[key] !== undefined ? 'option' : (config.sources[`server.${key}`] ?? 'default');
  const port = checkInteger(options.port ?? config.server.port, 'port', 0, 65_535);
  const metricsPort = config.server.metrics?.port;
  return {
    apps,
    host: options.host ?? config.server.host,
    port,
    listenOrigin: { host: origin('host'), port: origin('port') },
    activityTimeout: checkInteger(
      options.activityTimeout ?? SERVER_DEFAULTS.activityTimeout,
      'activityTimeout',
      1,
    ),
    pongTimeout: checkInteger(options.pongTimeout ?? SERVER_DEFAULTS.pongTimeout, 'pongTimeout', 1),
    maxPayloadBytes: checkInteger(
      options.maxPayloadBytes ?? SERVER_DEFAULTS.maxPayloadBytes,
      'maxPayloadBytes',
      256,
    ),
    maxBufferedBytes: checkInteger(
      options.maxBufferedBytes ?? SERVER_DEFAULTS.maxBufferedBytes,
      'maxBufferedBytes',
      1,
    ),
    localHub: options.localHub === undefined ? defaultLocalHub : options.localHub,
    redis,
    scaling: options.scaling ?? config.server.scaling,
    metrics: resolveMetricsOptions(
      options.metrics,
      metricsPort === undefined
        ? undefined
        : { port: metricsPort, source: config.sources['server.metrics.port'] ?? 'default' },
      port,
    ),
  };
}

function defaultApp(config: ResolvedBroadcastConfig): ResolvedAppOptions {
  const app = config.app;
  const source: ConfigSource = config.sources['app.key'] ?? 'default';
  const missing = (['id', 'key', 'secret'] as const).filter((field) => !app[field]);
  if (missing.length > 0)
    throw new BroadcastConfigError(
      ServerOptionsMessages.missingAppCredentials(missing),
      `app.${missing[0]}`,
      source,
    );
  return resolveApp(app as ServerAppOptions, 'app', source);
}

function resolveApp(app: ServerAppOptions, path: string, source: ConfigSource): ResolvedAppOptions {
  for (const field of ['id', 'key', 'secret'] as const) {
    const value = app?.[field];
    if (typeof value !== 'string' || value.length === 0)
      throw new BroadcastConfigError(
        ServerOptionsMessages.appFieldNotString(path, field, value),
        `${path}.${field}`,
        source,
      );
  }
  if (/[/?#\s]/.test(app.id) || /[/?#\s]/.test(app.key))
    throw new BroadcastConfigError(
      ServerOptionsMessages.appIdOrKeyNotUrlSafe(path),
      `${path}.key`,
      source,
    );
  const limits = { ...DEFAULT_APP_LIMITS, ...stripUndefined(app.limits ?? {}) };
  for (const [name, value] of Object.entries(limits))
    checkInteger(value, `${path}.limits.${name}`, 1);
  const allowedOrigins = app.allowedOrigins ?? ['*'];
  if (!Array.isArray(allowedOrigins) || allowedOrigins.some((o) => typeof o !== 'string'))
    throw new BroadcastConfigError(
      ServerOptionsMessages.badAllowedOrigins(path),
      `${path}.allowedOrigins`,
      source,
    );
  return {
    id: app.id,
    key: app.key,
    secret: app.secret,
    enabled: app.enabled ?? true,
    maxConnections: checkInteger(app.maxConnections ?? 0, `${path}.maxConnections`, 0),
    enableClientMessages: app.enableClientMessages ?? true,
    allowedOrigins,
    anyOrigin: allowedOrigins.includes('*'),
    limits,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkInteger(value: unknown, key: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new BroadcastConfigError(
      ServerOptionsMessages.notAnIntegerInRange(key, min, max, value),
      key,
      'option',
    );
  return value;
}

function assertUnique(apps: ResolvedAppOptions[], field: 'id' | 'key') {
  const seen = new Set<string>();
  for (const app of apps) {
    if (seen.has(app[field]))
      throw new BroadcastConfigError(
        ServerOptionsMessages.duplicateApp(field, app[field]),
        `apps.${field}`,
        'option',
      );
    seen.add(app[field]);
  }
}
