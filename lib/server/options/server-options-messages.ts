import { andList } from '../../config/config-messages.js';
import type { ConfigSource } from '../../errors/broadcast.exception.js';
/**
 * Every message of the server options' validation beyond what the schema checks (types and
 * unknown keys, config/config-messages.ts), in one place so wording stays consistent. Each
 * names the option to fix and where it came from; none may quote an app secret.
 */
export const ServerOptionsMessages = {
  workersInCode: (workers: number) =>
    `The server option workers = ${workers}: startBroadcastServer and BroadcastServerModule serve ` +
    `from the one process they run in. Run \`nestjs-broadcasting serve --workers ${workers}\` ` +
    `(with scaling over Redis) for several processes on one port, or leave workers at 1.`,
  /** Names every missing credential at once, so one restart is enough to fix them. */
  missingAppCredentials: (missing: readonly ('id' | 'key' | 'secret')[]) =>
    `The broadcast server has no app ${andList(missing)}: set ` +
    `${andList(missing.map((field) => `BROADCASTING_APP_${field.toUpperCase()}`))} ` +
    `or pass apps: [{ id, key, secret }] to the server options (or "server.apps" in the config file).`,
  appCredentialsWhere: (source: ConfigSource, file: string | undefined) =>
    source === 'env'
      ? 'the BROADCASTING_APP_* variables'
      : source === 'file'
        ? `config file ${file}`
        : 'the BroadcastModule options',
  appIdOrKeyNotUrlSafe: (path: string, where: string) =>
    `Server app ${path} (from ${where}): id and key must not contain "/", "?", "#" or spaces, since they appear in URLs.`,
  duplicateApp: (field: 'id' | 'key', value: string, where: string) =>
    `Two server apps share the ${field} "${value}" (in ${where}): each app needs its own ${field}.`,
  sharedRedisPrefix: (first: string, second: string, prefix: string, where: string) =>
    `Server apps ${first} and ${second} both listen on the Redis prefix "${prefix}" (in ${where}): ` +
    `each would get the other's broadcasts. Give one of them its own redis.prefix ` +
    `(the first app listens on the server's prefix, BROADCASTING_REDIS_PREFIX, unless it sets one).`,
  redisPrefixWithoutRedis: (path: string, where: string) =>
    `Server app ${path} sets redis.prefix (in ${where}), but Redis delivery is off: ` +
    `turn it on with the server option redis (true or { url, prefix }), BROADCASTING_REDIS_URL, ` +
    `or "redis.url" in the config file; or remove the prefix.`,
  tlsIncomplete: (missing: 'cert' | 'key', where: string) =>
    `TLS needs both tls.cert and tls.key; tls.${missing} is missing (from ${where}). ` +
    `Set BROADCASTING_SERVER_TLS_${missing.toUpperCase()} or "server.tls.${missing}" in the config file.`,
  metricsWithoutPort: (where: string) =>
    `Metrics need a port of their own: set metrics.port (from ${where}), BROADCASTING_METRICS_PORT, ` +
    `or --metrics-port; or set metrics to false.`,
  metricsOnServerPort: (port: number) =>
    `metrics.port ${port} is the broadcast server's own port: metrics are never served where ` +
    `clients connect. Pick another port (or 0 for a free one).`,
} satisfies Record<string, (...args: any[]) => string>;
