import { defaultLocalHub } from '../../broadcasters/local-hub.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { BroadcastConfigError, type ConfigSource } from '../../errors/broadcast.exception.js';
import type {
  ResolvedAppOptions,
  ResolvedServerOptions,
} from './resolved-server-options.interface.js';
import type {
  BroadcastServerOptions,
  ServerAppLimits,
  ServerAppOptions,
} from './server-options.interface.js';

export const DEFAULT_APP_LIMITS: Readonly<Required<ServerAppLimits>> = Object.freeze({
  maxEventBytes: 10_240,
  maxChannelsPerEvent: 100,
  maxBatchSize: 10,
  clientEventsPerSecond: 10,
  maxPresenceMembers: 100,
  maxPresenceMemberBytes: 1_024,
});

export const SERVER_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 6001,
  activityTimeout: 30,
  pongTimeout: 30,
  maxPayloadBytes: 102_400,
  maxBufferedBytes: 1_048_576,
});

/**
 * Fills defaults and validates. Apps come from `options.apps`, else one app from the
 * config cascade (`config.app`), else from BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET.
 * Throws {@link BroadcastConfigError} naming the key to fix; secrets are never shown.
 */
export function resolveServerOptions(
  options: BroadcastServerOptions = {},
  config?: ResolvedBroadcastConfig,
): ResolvedServerOptions {
  const env = process.env;
  const apps = options.apps
    ? options.apps.map((app, i) => resolveApp(app, `apps[${i}]`, 'option'))
    : [defaultApp(config, env)];
  if (apps.length === 0)
    throw new BroadcastConfigError('Server option "apps" is empty: give at least one app.', 'apps');
  assertUnique(apps, 'id');
  assertUnique(apps, 'key');

  const redisConfig = config?.redis ?? {
    url: env.BROADCASTING_REDIS_URL || 'redis://127.0.0.1:6379',
    prefix: env.BROADCASTING_REDIS_PREFIX ?? '',
  };
  const redis =
    options.redis === true
      ? { ...redisConfig }
      : options.redis
        ? {
            url: options.redis.url ?? redisConfig.url,
            prefix: options.redis.prefix ?? redisConfig.prefix,
          }
        : false;

  const envPort = env.BROADCASTING_SERVER_PORT ? Number(env.BROADCASTING_SERVER_PORT) : undefined;
  const origin = (key: 'host' | 'port', fromEnv: unknown): ConfigSource =>
    options[key] !== undefined
      ? 'option'
      : config
        ? (config.sources[`server.${key}`] ?? 'default')
        : fromEnv
          ? 'env'
          : 'default';
  return {
    apps,
    host:
      options.host ?? config?.server.host ?? env.BROADCASTING_SERVER_HOST ?? SERVER_DEFAULTS.host,
    port: checkInteger(
      options.port ?? config?.server.port ?? envPort ?? SERVER_DEFAULTS.port,
      'port',
      0,
      65_535,
    ),
    listenOrigin: {
      host: origin('host', env.BROADCASTING_SERVER_HOST),
      port: origin('port', env.BROADCASTING_SERVER_PORT),
    },
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
    scaling:
      options.scaling ??
      config?.server.scaling ??
      (env.BROADCASTING_SERVER_SCALING === 'redis' ? 'redis' : undefined),
  };
}

function defaultApp(
  config: ResolvedBroadcastConfig | undefined,
  env: NodeJS.ProcessEnv,
): ResolvedAppOptions {
  const app = config?.app ?? {
    id: env.BROADCASTING_APP_ID,
    key: env.BROADCASTING_APP_KEY,
    secret: env.BROADCASTING_APP_SECRET,
  };
  const source: ConfigSource = config ? (config.sources['app.key'] ?? 'default') : 'env';
  for (const field of ['id', 'key', 'secret'] as const) {
    if (!app[field])
      throw new BroadcastConfigError(
        `The broadcast server has no app ${field}: set BROADCASTING_APP_${field.toUpperCase()} ` +
          `or pass apps: [{ id, key, secret }] to the server options.`,
        `app.${field}`,
        source,
      );
  }
  return resolveApp(app as ServerAppOptions, 'app', source);
}

function resolveApp(app: ServerAppOptions, path: string, source: ConfigSource): ResolvedAppOptions {
  for (const field of ['id', 'key', 'secret'] as const) {
    const value = app?.[field];
    if (typeof value !== 'string' || value.length === 0)
      throw new BroadcastConfigError(
        `Server app ${path}.${field} must be a non-empty string` +
          (field === 'secret' ? '.' : ` (got ${JSON.stringify(value)}).`),
        `${path}.${field}`,
        source,
      );
  }
  if (/[/?#\s]/.test(app.id) || /[/?#\s]/.test(app.key))
    throw new BroadcastConfigError(
      `Server app ${path}: id and key must not contain "/", "?", "#" or spaces, since they appear in URLs.`,
      `${path}.key`,
      source,
    );
  const limits = { ...DEFAULT_APP_LIMITS, ...stripUndefined(app.limits ?? {}) };
  for (const [name, value] of Object.entries(limits))
    checkInteger(value, `${path}.limits.${name}`, 1);
  const allowedOrigins = app.allowedOrigins ?? ['*'];
  if (!Array.isArray(allowedOrigins) || allowedOrigins.some((o) => typeof o !== 'string'))
    throw new BroadcastConfigError(
      `Server app ${path}.allowedOrigins must be an array of origins like "https://app.example.com" or "*".`,
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
      `Server option "${key}" must be an integer from ${min} to ${max} (got ${JSON.stringify(value)}).`,
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
        `Two server apps share the ${field} "${app[field]}": each app needs its own ${field}.`,
        `apps.${field}`,
        'option',
      );
    seen.add(app[field]);
  }
}
