import { availableParallelism } from 'node:os';
import { BroadcastConfigError, type ConfigSource } from '../errors/broadcast.exception.js';
import { LOG_FORMATS, LOG_LEVELS } from '../shared/logger.js';
import { maskRedisUrl } from '../shared/redis/redis-url.js';
import { maskRedisSeed, parseClusterSeed } from '../shared/redis/redis-target.js';
import { ConfigMessages } from './config-messages.js';
import type { ConfigKey } from './config-keys.js';

/** Longest shutdown grace accepted, in seconds: an hour is already longer than any orchestrator waits. */
export const MAX_GRACE_SECONDS = 3600;

/** Most worker processes `serve --workers` starts: far above any machine's cores, below a typo's. */
export const MAX_WORKERS = 256;

/** Masks what must never be printed: secrets entirely, and the password inside a URL. */
export function maskConfigValue(key: Pick<ConfigKey, 'secret' | 'kind'>, value: unknown): string {
  const text = String(value);
  if (!key.secret) return text;
  // A URL keeps its host so the message says where; a URL that does not parse is hidden.
  if (key.kind === 'url') return maskRedisUrl(text);
  if (key.kind === 'redis-nodes')
    return (Array.isArray(value) ? value : text.split(','))
      .map((entry) => maskRedisSeed(String(entry)))
      .join(',');
  return '****';
}

function fail(
  key: ConfigKey,
  value: unknown,
  source: ConfigSource,
  where: string,
  problem: string,
): never {
  throw new BroadcastConfigError(
    ConfigMessages.invalidValue(key.path, maskConfigValue(key, value), where, problem),
    key.path,
    source,
  );
}

function integerOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return /^\d+$/.test(String(value).trim()) ? Number(value) : NaN;
}

/**
 * Checks one value of a {@link ConfigKey} and returns it in its final type: environment
 * variables arrive as strings, files and options as JSON values, and both are accepted.
 * Throws a {@link BroadcastConfigError} naming the key, the (masked) value and `where`.
 */
export function parseConfigValue(
  key: ConfigKey,
  value: unknown,
  source: ConfigSource,
  where: string,
): unknown {
  const { problems } = ConfigMessages;
  switch (key.kind) {
    case 'string':
      if (typeof value === 'number') return String(value);
      if (typeof value !== 'string') fail(key, value, source, where, problems.string);
      return value;
    case 'port': {
      const port = integerOf(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        fail(key, value, source, where, problems.port);
      return port;
    }
    case 'seconds': {
      const seconds = integerOf(value);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_GRACE_SECONDS)
        fail(key, value, source, where, problems.seconds(MAX_GRACE_SECONDS));
      return seconds;
    }
    case 'count': {
      const count = integerOf(value);
      if (!Number.isInteger(count) || count < 1)
        fail(key, value, source, where, problems.integer(1));
      return count;
    }
    case 'http-url': {
      let url: URL | undefined;
      try {
        url = new URL(String(value));
      } catch {
        url = undefined;
      }
      if (
        typeof value !== 'string' ||
        !url ||
        !['http:', 'https:'].includes(url.protocol) ||
        !url.hostname
      )
        fail(key, value, source, where, problems.httpUrl);
      return value;
    }
    case 'url': {
      let url: URL | undefined;
      try {
        url = new URL(String(value));
      } catch {
        url = undefined;
      }
      if (!url || !['redis:', 'rediss:'].includes(url.protocol) || !url.hostname)
        fail(key, value, source, where, problems.url);
      return String(value);
    }
    case 'scheme':
      if (value !== 'http' && value !== 'https') fail(key, value, source, where, problems.scheme);
      return value;
    case 'path':
      if (typeof value !== 'string' || !value.startsWith('/'))
        fail(key, value, source, where, problems.path);
      return value;
    case 'host':
      if (typeof value !== 'string' || value === '' || /[/\s]/.test(value))
        fail(key, value, source, where, problems.host);
      return value;
    case 'file':
      if (typeof value !== 'string' || value.trim() === '')
        fail(key, value, source, where, problems.file);
      return value;
    case 'workers': {
      // "auto": one per core this process may use (cgroup limits included).
      if (String(value).trim().toLowerCase() === 'auto') return availableParallelism();
      const workers = integerOf(value);
      if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
        fail(key, value, source, where, problems.workers(MAX_WORKERS, availableParallelism()));
      return workers;
    }
    case 'scaling': {
      const text = String(value).toLowerCase();
      if (['', 'off', 'none', 'false'].includes(text)) return undefined;
      if (text !== 'redis') fail(key, value, source, where, problems.scaling);
      return 'redis';
    }
    case 'redis-nodes': {
      // The env form is one comma-separated string; options and files give an array.
      const entries =
        typeof value === 'string' ? value.split(',').map((entry) => entry.trim()) : value;
      if (
        !Array.isArray(entries) ||
        entries.length === 0 ||
        entries.some((entry) => typeof entry !== 'string' || !parseClusterSeed(entry))
      )
        fail(key, value, source, where, problems.redisNodes);
      return entries.map((entry) => entry.trim());
    }
    case 'flag': {
      const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
      if (text === true || text === 'true' || text === '1') return true;
      if (text === false || text === 'false' || text === '0') return false;
      return fail(key, value, source, where, problems.boolean);
    }
    case 'log-level':
      return oneOf(key, value, source, where, LOG_LEVELS);
    case 'log-format':
      return oneOf(key, value, source, where, LOG_FORMATS);
    case 'boolean': {
      const text = String(value).toLowerCase();
      if (value === true || text === 'true' || text === '1') return true;
      if (value === false || text === 'false' || text === '0') return false;
      return fail(key, value, source, where, problems.boolean);
    }
    case 'whole': {
      const number = integerOf(value);
      if (!Number.isInteger(number) || number < 0)
        fail(key, value, source, where, problems.integer(0));
      return number;
    }
    case 'backoff':
      return oneOf(key, value, source, where, ['exponential', 'fixed']);
    case 'queue-name':
      // BullMQ joins prefix, name and suffix with ":" into its keys.
      if (typeof value !== 'string' || value === '' || value.includes(':'))
        fail(key, value, source, where, problems.queueName);
      return value;
    case 'base64-key': {
      const text = String(value);
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || Buffer.from(text, 'base64').length !== 32)
        fail(key, value, source, where, problems.base64Key);
      return text;
    }
  }
}

function oneOf(
  key: ConfigKey,
  value: unknown,
  source: ConfigSource,
  where: string,
  allowed: readonly string[],
): string {
  const text = typeof value === 'string' ? value.toLowerCase() : value;
  if (typeof text !== 'string' || !allowed.includes(text))
    fail(key, value, source, where, ConfigMessages.problems.oneOf(allowed));
  return text;
}
