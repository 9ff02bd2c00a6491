import { defaultLocalHub } from '../../drivers/local-hub.js';
import { SERVER_SCHEMA } from '../../config/config-file-schema.js';
import {
  defaultsOf,
  isPlainObject,
  parseConfigObject,
  type ConfigOrigin,
} from '../../config/config-schema.js';
import { applyConfigCascade } from '../../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { BroadcastConfigError, type ConfigSource } from '../../errors/broadcast.exception.js';
import type { ServerMetricsOptions } from '../metrics/metrics-options.interface.js';
import { resolveMetricsOptions } from '../metrics/resolve-metrics-options.js';
import { assignRedisPrefixes, defaultApp, resolveApps } from './resolve-server-apps.js';
import type { ResolvedServerOptions } from './resolved-server-options.interface.js';
import type { BroadcastServerOptions } from './server-options.interface.js';
import { ServerOptionsMessages } from './server-options-messages.js';

export { DEFAULT_APP_LIMITS } from './resolve-server-apps.js';

/** Defaults of the options without an environment variable (those live in config-keys.ts). */
export const SERVER_DEFAULTS = Object.freeze(defaultsOf(SERVER_SCHEMA));

/** Keys in the interface without a rule, or rules without a key: must be none. */
type SchemaGap<Options, Schema> =
  Exclude<keyof Options, keyof Schema> | Exclude<keyof Schema, keyof Options>;
/** Compiles only while SERVER_SCHEMA and BroadcastServerOptions name the same keys. */
export const SERVER_SCHEMA_IS_COMPLETE: [
  SchemaGap<BroadcastServerOptions, typeof SERVER_SCHEMA>,
] extends [never]
  ? true
  : SchemaGap<BroadcastServerOptions, typeof SERVER_SCHEMA> = true;

const OPTIONS: ConfigOrigin = { source: 'option', where: 'the server options' };

/**
 * Applies the cascade to every server option: the options given here, then the config
 * file's `server` object, then the BROADCASTING_* environment, then the defaults. Both the
 * options and the file are checked against the one table of server keys (SERVER_SCHEMA),
 * so a wrong type or an unknown key fails the same way from code, file or env, naming the
 * key and where it came from. Apps come from `apps`, the file's `server.apps`, else one app
 * from `config.app` (BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET). Without a resolved
 * `config`, the cascade is applied to the environment here, so a bare engine reads the
 * same keys as the module and the bin. Secrets are never shown.
 */
export function resolveServerOptions(
  options: BroadcastServerOptions = {},
  config: ResolvedBroadcastConfig = applyConfigCascade({}, undefined, process.env),
): ResolvedServerOptions {
  const given = parseConfigObject(options, SERVER_SCHEMA, '', OPTIONS) as BroadcastServerOptions;
  // The file's and the env's value is the bin's to read; in code it can only mean this process.
  if (typeof given.workers === 'number' && given.workers > 1)
    throw new BroadcastConfigError(
      ServerOptionsMessages.workersInCode(given.workers),
      'workers',
      'option',
    );
  const file = config.server.fromFile as BroadcastServerOptions;
  const fileOrigin: ConfigOrigin = { source: 'file', where: `config file ${config.file}` };

  const [appsPath, appsOrigin] = given.apps
    ? ['apps', OPTIONS]
    : file.apps
      ? ['server.apps', fileOrigin]
      : ['apps', OPTIONS];
  const appList = given.apps ?? file.apps;
  const apps = appList ? resolveApps(appList, appsPath, appsOrigin) : [defaultApp(config)];

  const redisOption = given.redis ?? file.redis;
  const redis =
    redisOption === true
      ? { ...config.redis }
      : redisOption
        ? {
            url: redisOption.url ?? config.redis.url,
            prefix: redisOption.prefix ?? config.redis.prefix,
            // A server URL of its own means that one Redis, not the configured cluster.
            cluster:
              redisOption.cluster ??
              (redisOption.url === undefined ? config.redis.cluster : undefined),
            sharded: redisOption.sharded ?? config.redis.sharded,
          }
        : false;
  assignRedisPrefixes(apps, redis, appsPath, appsOrigin);

  const origin = (key: 'host' | 'port'): ConfigSource =>
    given[key] !== undefined ? 'option' : (config.sources[`server.${key}`] ?? 'default');
  const port = given.port ?? config.server.port;
  const layered = <K extends keyof typeof SERVER_DEFAULTS>(key: K): number =>
    given[key] ?? file[key] ?? SERVER_DEFAULTS[key];
  return {
    apps,
    host: given.host ?? config.server.host,
    port,
    listenOrigin: { host: origin('host'), port: origin('port') },
    activityTimeout: layered('activityTimeout'),
    pongTimeout: layered('pongTimeout'),
    maxPayloadBytes: layered('maxPayloadBytes'),
    maxBufferedBytes: layered('maxBufferedBytes'),
    localHub: given.localHub === undefined ? defaultLocalHub : given.localHub,
    redis,
    scaling: given.scaling ?? config.server.scaling,
    metrics: resolveMetrics(given, file, config, port, fileOrigin),
    log: {
      level: given.log?.level ?? config.server.log.level,
      format: given.log?.format ?? config.server.log.format,
    },
    tls: resolveTls(given, config),
    shutdownGraceSeconds: given.shutdownGraceSeconds ?? config.server.shutdownGraceSeconds,
    webhooks: { ...config.server.webhooks, ...given.webhooks },
  };
}

/**
 * The metrics endpoint, if any: off with `metrics: false` (option, else file), else on once
 * a port is set (option, file, BROADCASTING_METRICS_PORT), with the other keys merged
 * option over file over defaults.
 */
function resolveMetrics(
  given: BroadcastServerOptions,
  file: BroadcastServerOptions,
  config: ResolvedBroadcastConfig,
  serverPort: number,
  fileOrigin: ConfigOrigin,
): ResolvedServerOptions['metrics'] {
  if (given.metrics === false || (given.metrics === undefined && file.metrics === false))
    return false;
  const merged = {
    ...(isPlainObject(file.metrics) ? file.metrics : {}),
    ...(isPlainObject(given.metrics) ? given.metrics : {}),
  } as Partial<ServerMetricsOptions>;
  const port = merged.port ?? config.server.metrics?.port;
  if (port === undefined) {
    if (Object.keys(merged).length === 0) return false;
    const origin = isPlainObject(given.metrics) ? OPTIONS : fileOrigin;
    throw new BroadcastConfigError(
      ServerOptionsMessages.metricsWithoutPort(origin.where),
      'metrics.port',
      origin.source,
    );
  }
  if (port !== 0 && port === serverPort)
    throw new BroadcastConfigError(
      ServerOptionsMessages.metricsOnServerPort(port),
      'metrics.port',
      merged.port !== undefined ? 'option' : config.sources['server.metrics.port'],
    );
  // Field by field checks (host, path, prefix) are the metrics module's own.
  return resolveMetricsOptions({ ...merged, port }, undefined, serverPort);
}

/** TLS from the `tls` option as a whole, else key by key from the file and the env. */
function resolveTls(
  given: BroadcastServerOptions,
  config: ResolvedBroadcastConfig,
): ResolvedServerOptions['tls'] {
  const source: ConfigSource = given.tls
    ? 'option'
    : (config.sources['server.tls.cert'] ??
      config.sources['server.tls.key'] ??
      config.sources['server.tls.ca'] ??
      'default');
  const tls = given.tls ?? config.server.tls;
  if (!tls || (!tls.cert && !tls.key && !tls.ca)) return undefined;
  const where = source === 'file' ? `config file ${config.file}` : source;
  for (const part of ['cert', 'key'] as const)
    if (!tls[part])
      throw new BroadcastConfigError(
        ServerOptionsMessages.tlsIncomplete(part, where),
        `server.tls.${part}`,
        source,
      );
  return { cert: tls.cert!, key: tls.key!, ca: tls.ca, source };
}
