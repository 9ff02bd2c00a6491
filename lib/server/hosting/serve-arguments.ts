import { parseArgs } from 'node:util';
import { MAX_GRACE_SECONDS, MAX_WORKERS } from '../../config/config-values.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../../shared/logger.js';
import { HostingMessages } from './hosting-messages.js';

export const SERVE_USAGE = `Usage: nestjs-broadcasting serve [options]

Runs the Pusher-protocol broadcast server (WebSocket /app/{key}, HTTP API /apps/{id}, GET /up).
Options override the config file (BROADCASTING_CONFIG or config/broadcasting.*, whose
"server" object may hold every server option: apps, limits, timeouts, ...) and the
BROADCASTING_* environment (BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET,
BROADCASTING_SERVER_HOST / _PORT / _SCALING / _WORKERS / _TLS_CERT / _TLS_KEY / _TLS_CA,
BROADCASTING_REDIS_URL / _CLUSTER / _PREFIX, BROADCASTING_METRICS_PORT, BROADCASTING_LOG_LEVEL /
_LOG_FORMAT, BROADCASTING_SHUTDOWN_GRACE_SECONDS, BROADCASTING_DEFAULT).

  --host <address>         interface to listen on            (default 127.0.0.1)
  --port <number>          port to listen on, 0 for any free (default 6001)
  --redis                  deliver broadcasts published on Redis (Laravel's format); on by
                           default when BROADCASTING_DEFAULT is redis or a Redis URL is set
  --no-redis               do not, even then
  --redis-url <url>        Redis to use (implies --redis)
  --redis-cluster <nodes>  a Redis Cluster instead, host:port,host:port,... (implies
                           --redis; wins over the URL)
  --redis-prefix <text>    prefix of the Redis channels
  --scaling redis          join the other nodes on the same Redis and prefix, so clients
                           may connect to any of them (BROADCASTING_SERVER_SCALING=redis)
  --workers <n|auto>       run n worker processes on the one port (auto: one per core),
                           joined over Redis with --scaling redis, else through the primary;
                           a worker that dies is replaced                  (default 1)
  --tls-cert <file>        serve wss:// and https:// with this certificate (PEM) ...
  --tls-key <file>         ... and this private key (PEM)
  --tls-ca <file>          extra CA certificates (PEM) for the chain
  --metrics-port <number>  serve Prometheus metrics on this port (0 for any free)
  --log-level <level>      error, warn, info or debug            (default info)
  --log-format <format>    text, or json: one JSON object per line (default text)
  --shutdown-grace <s>     most seconds a shutdown may take        (default 10)
  --config <file>          configuration file (instead of config/broadcasting.*)
  -h, --help               show this help

On SIGINT / SIGTERM it stops accepting connections, closes every connection with 4200
(clients reconnect at once, elsewhere) and exits within the shutdown grace.

The other command, nestjs-broadcasting work, runs queued broadcasts (see work --help).`;

/** What `serve`'s flags ask for; undefined fields fall through to the cascade. */
export interface ServeArguments {
  help?: boolean;
  host?: string;
  port?: number;
  redis?: boolean;
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster (`host:port`), checked by the config cascade. */
  redisCluster?: string[];
  redisPrefix?: string;
  scaling?: 'redis';
  /** A count, or 'auto' (one per core), resolved by the config cascade. */
  workers?: number | 'auto';
  config?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  metricsPort?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  shutdownGraceSeconds?: number;
}

/** A command line the bin cannot run; the message says what is wrong. */
export class ServeUsageError extends Error {}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  host: { type: 'string' },
  port: { type: 'string' },
  redis: { type: 'boolean' },
  'redis-url': { type: 'string' },
  'redis-cluster': { type: 'string' },
  'redis-prefix': { type: 'string' },
  scaling: { type: 'string' },
  workers: { type: 'string' },
  config: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'metrics-port': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'shutdown-grace': { type: 'string' },
} as const;

/** Parses `serve [--flag value | --flag=value ...]` with node:util's parseArgs. */
export function parseServeArguments(argv: string[]): ServeArguments {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new ServeUsageError(usageProblem(error));
  }
  const { values: flags, positionals } = parsed;
  if (flags.help) return { help: true };
  const [command, ...extra] = positionals;
  if (command !== 'serve')
    throw new ServeUsageError(
      command === undefined
        ? HostingMessages.missingCommand()
        : HostingMessages.unknownCommand(command),
    );
  if (extra.length > 0) throw new ServeUsageError(HostingMessages.unexpectedArgument(extra[0]));

  const args: ServeArguments = {
    host: flags.host,
    port: integerFlag('--port', flags.port, 65_535),
    redis:
      flags.redis ??
      (flags['redis-url'] !== undefined || flags['redis-cluster'] !== undefined ? true : undefined),
    redisUrl: flags['redis-url'],
    redisCluster: flags['redis-cluster']?.split(',').map((seed) => seed.trim()),
    redisPrefix: flags['redis-prefix'],
    scaling: oneOf('--scaling', flags.scaling, ['redis'] as const),
    workers: workersFlag(flags.workers),
    config: flags.config,
    tlsCert: flags['tls-cert'],
    tlsKey: flags['tls-key'],
    tlsCa: flags['tls-ca'],
    metricsPort: integerFlag('--metrics-port', flags['metrics-port'], 65_535),
    logLevel: oneOf('--log-level', flags['log-level'], LOG_LEVELS),
    logFormat: oneOf('--log-format', flags['log-format'], LOG_FORMATS),
    shutdownGraceSeconds: integerFlag(
      '--shutdown-grace',
      flags['shutdown-grace'],
      MAX_GRACE_SECONDS,
    ),
  };
  return Object.fromEntries(
    Object.entries(args).filter(([, value]) => value !== undefined),
  ) as ServeArguments;
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: FLAGS,
    allowPositionals: true,
    allowNegative: true,
    strict: true,
  });
}

/** parseArgs's own messages suggest `--` tricks; ours say what to change. */
function usageProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const flag = /'(-[^' ]+)/.exec(message ?? '')?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return HostingMessages.unknownFlag(flag);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return HostingMessages.flagNeedsValue(flag);
    default:
      return message ?? String(error);
  }
}

function integerFlag(flag: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max)
    throw new ServeUsageError(HostingMessages.badInteger(flag, text, max));
  return value;
}

function workersFlag(text: string | undefined): number | 'auto' | undefined {
  if (text === undefined) return undefined;
  if (text.toLowerCase() === 'auto') return 'auto';
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_WORKERS)
    throw new ServeUsageError(HostingMessages.badWorkers(text, MAX_WORKERS));
  return value;
}

function oneOf<T extends string>(
  flag: string,
  text: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (text === undefined) return undefined;
  const value = text.toLowerCase() as T;
  if (!allowed.includes(value))
    throw new ServeUsageError(HostingMessages.badChoice(flag, text, allowed));
  return value;
}
