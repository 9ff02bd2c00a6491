import { SERVER_APP_LIMITS_SCHEMA, SERVER_APP_SCHEMA } from '../../config/config-file-schema.js';
import { defaultsOf, type ConfigOrigin } from '../../config/config-schema.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { BroadcastConfigError, type ConfigSource } from '../../errors/broadcast.exception.js';
import type { ResolvedAppOptions } from './resolved-server-options.interface.js';
import type { ServerAppLimits, ServerAppOptions } from './server-options.interface.js';
import { ServerOptionsMessages } from './server-options-messages.js';

export const DEFAULT_APP_LIMITS: Readonly<Required<ServerAppLimits>> = Object.freeze(
  defaultsOf(SERVER_APP_LIMITS_SCHEMA),
);
const APP_DEFAULTS = defaultsOf(SERVER_APP_SCHEMA);

type SchemaGap<Options, Schema> =
  Exclude<keyof Options, keyof Schema> | Exclude<keyof Schema, keyof Options>;
/** Compiles only while the app and limit rules name the keys of their interfaces. */
export const APP_SCHEMA_IS_COMPLETE: [
  | SchemaGap<ServerAppOptions, typeof SERVER_APP_SCHEMA>
  | SchemaGap<ServerAppLimits, typeof SERVER_APP_LIMITS_SCHEMA>,
] extends [never]
  ? true
  : never = true;

/**
 * Apps already checked against the schema (types, unknown keys), with their defaults
 * applied and what the schema cannot see checked: ids and keys fit for URLs, and unique.
 * `path` is where the list sits (`apps`, `server.apps`), for the errors.
 */
export function resolveApps(
  apps: ServerAppOptions[],
  path: string,
  origin: ConfigOrigin,
): ResolvedAppOptions[] {
  const resolved = apps.map((app, i) => resolveApp(app, `${path}[${i}]`, origin));
  assertUnique(resolved, 'id', path, origin);
  assertUnique(resolved, 'key', path, origin);
  return resolved;
}

/** The one app of the cascade (`app.*`: BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET). */
export function defaultApp(config: ResolvedBroadcastConfig): ResolvedAppOptions {
  const app = config.app;
  const source: ConfigSource = config.sources['app.key'] ?? 'default';
  const missing = (['id', 'key', 'secret'] as const).filter((field) => !app[field]);
  if (missing.length > 0)
    throw new BroadcastConfigError(
      ServerOptionsMessages.missingAppCredentials(missing),
      `app.${missing[0]}`,
      source,
    );
  return resolveApp(app as ServerAppOptions, 'app', {
    source,
    where: ServerOptionsMessages.appCredentialsWhere(source, config.file),
  });
}

function resolveApp(app: ServerAppOptions, path: string, origin: ConfigOrigin): ResolvedAppOptions {
  if (/[/?#\s]/.test(app.id) || /[/?#\s]/.test(app.key))
    throw new BroadcastConfigError(
      ServerOptionsMessages.appIdOrKeyNotUrlSafe(path, origin.where),
      `${path}.key`,
      origin.source,
    );
  const allowedOrigins = app.allowedOrigins ?? ['*'];
  return {
    id: app.id,
    key: app.key,
    secret: app.secret,
    enabled: app.enabled ?? APP_DEFAULTS.enabled,
    maxConnections: app.maxConnections ?? APP_DEFAULTS.maxConnections,
    enableClientMessages: app.enableClientMessages ?? APP_DEFAULTS.enableClientMessages,
    allowedOrigins,
    anyOrigin: allowedOrigins.includes('*'),
    limits: { ...DEFAULT_APP_LIMITS, ...app.limits },
    redisPrefix: app.redis?.prefix,
    webhooks: app.webhooks ?? [],
    subscriptionCountEvents: app.subscriptionCountEvents ?? APP_DEFAULTS.subscriptionCountEvents,
  };
}

/**
 * What each app listens to on Redis: its own `redis.prefix`, the first app the server's
 * prefix by default (so one app behaves as before), the others nothing. Two apps on one
 * prefix would each get the other's broadcasts, so that is refused; so is a prefix given
 * while Redis delivery is off, which would silently deliver nothing.
 */
export function assignRedisPrefixes(
  apps: ResolvedAppOptions[],
  redis: false | { prefix: string },
  path: string,
  origin: ConfigOrigin,
): void {
  if (!redis) {
    const index = apps.findIndex((app) => app.redisPrefix !== undefined);
    if (index >= 0)
      throw new BroadcastConfigError(
        ServerOptionsMessages.redisPrefixWithoutRedis(`${path}[${index}]`, origin.where),
        `${path}[${index}].redis.prefix`,
        origin.source,
      );
    return;
  }
  apps[0].redisPrefix ??= redis.prefix;
  const seen = new Map<string, number>();
  apps.forEach((app, i) => {
    if (app.redisPrefix === undefined) return;
    const first = seen.get(app.redisPrefix);
    if (first !== undefined)
      throw new BroadcastConfigError(
        ServerOptionsMessages.sharedRedisPrefix(
          `${path}[${first}]`,
          `${path}[${i}]`,
          app.redisPrefix,
          origin.where,
        ),
        `${path}[${i}].redis.prefix`,
        origin.source,
      );
    seen.set(app.redisPrefix, i);
  });
}

function assertUnique(
  apps: ResolvedAppOptions[],
  field: 'id' | 'key',
  path: string,
  origin: ConfigOrigin,
) {
  const seen = new Set<string>();
  for (const app of apps) {
    if (seen.has(app[field]))
      throw new BroadcastConfigError(
        ServerOptionsMessages.duplicateApp(field, app[field], origin.where),
        `${path}.${field}`,
        origin.source,
      );
    seen.add(app[field]);
  }
}
