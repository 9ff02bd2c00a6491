import type { BroadcastConnectionOptions } from '../drivers/connection-options.interface.js';
import {
  BUILTIN_DRIVERS,
  DRIVER_ALIASES,
  canonicalDriverName,
} from '../drivers/driver-registry.js';
import { BroadcastConfigError, type ConfigSource } from '../errors/broadcast.exception.js';
import type { BroadcastModuleOptions } from './broadcast-options.interface.js';
import { loadConfigFile } from './config-file.loader.js';
import { ConfigMessages } from './config-messages.js';
import { CONFIG_KEYS, QUEUE_CLUSTER_PREFIX, configKey, type ConfigKey } from './config-keys.js';
import { CONFIG_FILE_SCHEMA } from './config-file-schema.js';
import { parseConfigObject } from './config-schema.js';
import { parseConfigValue } from './config-values.js';
import type { ResolvedBroadcastConfig } from './resolved-config.interface.js';
import type { ResolvedQueueConfig } from '../queue/queue-options.interface.js';
import { isRedisCluster } from '../shared/redis/redis-target.js';

export interface ResolveConfigContext {
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** Where `config/broadcasting.*` is looked for. @default process.cwd() */
  cwd?: string;
}

type Layer = { source: ConfigSource; values: Record<string, unknown>; where: string };

/**
 * Applies the configuration cascade key by key: option > config file > BROADCASTING_* env
 * > default, then validates. Pure apart from reading the config file, so the standalone
 * server and the module resolve the same way.
 */
export async function resolveBroadcastConfig(
  options: BroadcastModuleOptions = {},
  { env = process.env, cwd = process.cwd() }: ResolveConfigContext = {},
): Promise<ResolvedBroadcastConfig> {
  return applyConfigCascade(options, await loadConfigFile(env, cwd), env);
}

/**
 * The cascade once the config file is loaded (or absent): synchronous, so code that has
 * no file to read (a bare server engine) resolves env keys and defaults the same way.
 * @internal
 */
export function applyConfigCascade(
  options: BroadcastModuleOptions,
  file: { path: string; values: Record<string, unknown> } | undefined,
  env: Record<string, string | undefined>,
): ResolvedBroadcastConfig {
  const layers: Layer[] = [
    {
      source: 'option',
      values: options as Record<string, unknown>,
      where: 'BroadcastModule options',
    },
  ];
  let fromFile: Record<string, unknown> = {};
  if (file) {
    const where = `config file ${file.path}`;
    // Every key of the file, checked before any is used: a typo fails here, by its path.
    const checked = parseConfigObject(file.values, CONFIG_FILE_SCHEMA, '', {
      source: 'file',
      where,
    });
    if (isObject(checked.server)) fromFile = checked.server;
    layers.push({ source: 'file', values: file.values, where });
  }

  const resolved: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const key of CONFIG_KEYS) {
    const found = pick(key, layers, env);
    if (!found) continue;
    sources[key.path] = found.source;
    setPath(resolved, key.path, parseConfigValue(key, found.value, found.source, found.where));
  }

  const connections = {
    ...(isObject(file?.values.connections) ? file.values.connections : {}),
    ...(options.connections ?? {}),
  } as Record<string, BroadcastConnectionOptions>;

  const config: ResolvedBroadcastConfig = {
    default: resolved.default as string,
    app: (resolved.app as ResolvedBroadcastConfig['app']) ?? {},
    redis: resolved.redis as ResolvedBroadcastConfig['redis'],
    pusher: (resolved.pusher as ResolvedBroadcastConfig['pusher']) ?? {},
    authEndpoint: resolved.authEndpoint as string,
    userAuthEndpoint: resolved.userAuthEndpoint as string,
    encryptionMasterKey: resolved.encryptionMasterKey as string | undefined,
    server: { ...(resolved.server as ResolvedBroadcastConfig['server']), fromFile },
    afterCommit: resolved.afterCommit as boolean,
    queue: resolveQueue(resolved, sources, options, file?.values),
    file: file?.path,
    connections,
    sources,
  };
  validateDefault(config, options, layers, env);
  validateConnections(config);
  return config;
}

/**
 * The `queue` section, when something turns it on: the option or the file's `queue`
 * object, or any BROADCASTING_QUEUE_* variable. `queue: false` in the options wins.
 */
function resolveQueue(
  resolved: Record<string, unknown>,
  sources: Record<string, ConfigSource>,
  options: BroadcastModuleOptions,
  fileValues: Record<string, unknown> | undefined,
): ResolvedQueueConfig | undefined {
  if (options.queue === false) return undefined;
  const fromFile = fileValues?.queue;
  const set =
    isObject(options.queue) ||
    isObject(fromFile) ||
    Object.entries(sources).some(
      ([path, source]) => path.startsWith('queue.') && source !== 'default',
    );
  if (!set || fromFile === false) return undefined;
  const queue = resolved.queue as Omit<ResolvedQueueConfig, 'connection' | 'queues'> & {
    url?: string;
  };
  const given =
    (options.queue || undefined)?.connection ??
    (isObject(fromFile) ? fromFile.connection : undefined);
  const queues =
    (options.queue || undefined)?.queues ?? (isObject(fromFile) ? fromFile.queues : undefined);
  const redis = resolved.redis as ResolvedBroadcastConfig['redis'];
  // A queue without a Redis of its own follows the redis driver's: redis.cluster, else redis.url.
  const cluster = given === undefined && queue.url === undefined ? redis.cluster : undefined;
  const onCluster = Boolean(cluster?.length) || isRedisCluster(given);
  return {
    ...queue,
    url: queue.url ?? redis.url,
    ...(cluster?.length ? { cluster: [...cluster] } : {}),
    prefix:
      onCluster && sources['queue.prefix'] === 'default' ? QUEUE_CLUSTER_PREFIX : queue.prefix,
    connection: given as ResolvedQueueConfig['connection'],
    queues: [...((queues as string[] | undefined) ?? [])],
  };
}

function pick(
  key: ConfigKey,
  layers: Layer[],
  env: Record<string, string | undefined>,
): { value: unknown; source: ConfigSource; where: string } | undefined {
  for (const layer of layers) {
    const value = getPath(layer.values, key.path);
    if (value !== undefined && value !== null) {
      return { value, source: layer.source, where: `${layer.where} "${key.path}"` };
    }
  }
  const fromEnv = env[key.env];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { value: fromEnv, source: 'env', where: `env ${key.env}` };
  }
  if (key.default !== undefined) {
    return { value: key.default, source: 'default', where: 'the default' };
  }
  return undefined;
}

function validateDefault(
  config: ResolvedBroadcastConfig,
  options: BroadcastModuleOptions,
  layers: Layer[],
  env: Record<string, string | undefined>,
): void {
  const connections = config.connections ?? {};
  const name = config.default;
  if (name in connections) return;
  config.default = canonicalDriverName(name);
  const known = new Set<string>([
    ...BUILTIN_DRIVERS,
    ...Object.keys(DRIVER_ALIASES),
    ...Object.keys(connections),
    ...Object.keys(options.drivers ?? {}),
  ]);
  if (!known.has(name)) {
    const key = CONFIG_KEYS.find((k) => k.path === 'default')!;
    const found = pick(key, layers, env)!;
    throw new BroadcastConfigError(
      ConfigMessages.invalidValue(
        key.path,
        name,
        found.where,
        ConfigMessages.problems.unknownDefault([...known]),
      ),
      key.path,
      found.source,
    );
  }
}

/** Checks what every connection that uses a built-in driver needs, so a typo fails at boot. */
function validateConnections(config: ResolvedBroadcastConfig): void {
  const connections = config.connections ?? {};
  const pusherUsers: Array<{ name: string; options: Record<string, unknown> }> = [];
  if (config.default === 'pusher' && !('pusher' in connections)) {
    pusherUsers.push({ name: 'pusher', options: {} });
  }
  for (const [name, connection] of Object.entries(connections)) {
    if (!isObject(connection) || typeof connection.driver !== 'string') {
      throw new BroadcastConfigError(
        ConfigMessages.connectionWithoutDriver(name, BUILTIN_DRIVERS),
        `connections.${name}.driver`,
      );
    }
    const options = connection as Record<string, unknown>;
    if (connection.driver === 'pusher') pusherUsers.push({ name, options });
    if (canonicalDriverName(connection.driver) === 'redis' && options.url !== undefined) {
      const key = {
        ...CONFIG_KEYS.find((k) => k.path === 'redis.url')!,
        path: `connections.${name}.url`,
      };
      parseConfigValue(key, options.url, 'option', `connection "${name}"`);
    }
    if (canonicalDriverName(connection.driver) === 'redis' && options.cluster !== undefined) {
      const key = { ...configKey('redis.cluster'), path: `connections.${name}.cluster` };
      options.cluster = parseConfigValue(key, options.cluster, 'option', `connection "${name}"`);
    }
  }
  const credentials = [
    ['appId', 'app.id', 'BROADCASTING_APP_ID'],
    ['key', 'app.key', 'BROADCASTING_APP_KEY'],
    ['secret', 'app.secret', 'BROADCASTING_APP_SECRET'],
  ] as const;
  for (const { name, options } of pusherUsers) {
    const missing = credentials
      .filter(([own, path]) => {
        const value = options[own] ?? getPath(config.app, path.slice(4));
        return value === undefined || value === '';
      })
      .map(([own, path, envName]) => ({ own, path, envName }));
    if (missing.length > 0) {
      throw new BroadcastConfigError(
        ConfigMessages.missingPusherCredentials(missing, name),
        missing[0].path,
        config.sources[missing[0].path] ?? 'default',
      );
    }
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function getPath(target: unknown, path: string): unknown {
  let current: unknown = target;
  for (const part of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    current = (current[part] ??= {}) as Record<string, unknown>;
  }
  if (value !== undefined) current[parts[parts.length - 1]] = value;
}
