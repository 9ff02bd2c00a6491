import { resolveBroadcastConfig } from '../../config/resolve-config.js';
import { BroadcastException } from '../../errors/broadcast.exception.js';
import { consoleLogger } from '../../shared/logger.js';
import { HostingMessages } from './hosting-messages.js';
import { startBroadcastServer, type BroadcastServerHandle } from './start-broadcast-server.js';

export const SERVE_USAGE = `Usage: nestjs-broadcasting serve [options]

Runs the Pusher-protocol broadcast server (WebSocket /app/{key}, HTTP API /apps/{id}, GET /up).
Options override the config file (BROADCASTING_CONFIG or config/broadcasting.*) and the
BROADCASTING_* environment (BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET,
BROADCASTING_SERVER_HOST / _PORT / _SCALING, BROADCASTING_REDIS_URL / _PREFIX,
BROADCASTING_DEFAULT, BROADCASTING_METRICS_PORT for Prometheus metrics on their own port).

  --host <address>       interface to listen on            (default 127.0.0.1)
  --port <number>        port to listen on, 0 for any free (default 6001)
  --redis                deliver broadcasts published on Redis (Laravel's format); on by
                         default when BROADCASTING_DEFAULT is redis or a Redis URL is set
  --no-redis             do not, even then
  --redis-url <url>      Redis to use (implies --redis)
  --redis-prefix <text>  prefix of the Redis channels
  --scaling redis        join the other nodes on the same Redis and prefix, so clients
                         may connect to any of them (BROADCASTING_SERVER_SCALING=redis)
  --config <file>        configuration file (instead of config/broadcasting.*)
  -h, --help             show this help

Stops cleanly on SIGINT / SIGTERM.`;

/** What `serve`'s flags ask for; undefined fields fall through to the cascade. */
export interface ServeArguments {
  help?: boolean;
  host?: string;
  port?: number;
  redis?: boolean;
  redisUrl?: string;
  redisPrefix?: string;
  scaling?: 'redis';
  config?: string;
}

/** A command line the bin cannot run; the message says what is wrong. */
export class ServeUsageError extends Error {}

/** Parses `serve [--flag value | --flag=value ...]`. */
export function parseServeArguments(argv: string[]): ServeArguments {
  const args = [...argv];
  const command = args.shift();
  if (command === '-h' || command === '--help') return { help: true };
  if (command !== 'serve')
    throw new ServeUsageError(
      command === undefined
        ? HostingMessages.missingCommand()
        : HostingMessages.unknownCommand(command),
    );
  const parsed: ServeArguments = {};
  while (args.length > 0) {
    let flag = args.shift()!;
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const take = () => {
      const next = value ?? args.shift();
      if (next === undefined || (value === undefined && next.startsWith('--')))
        throw new ServeUsageError(HostingMessages.flagNeedsValue(flag));
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        parsed.help = true;
        break;
      case '--host':
        parsed.host = take();
        break;
      case '--port': {
        const text = take();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65_535)
          throw new ServeUsageError(HostingMessages.badPort(text));
        parsed.port = port;
        break;
      }
      case '--redis':
        parsed.redis = true;
        break;
      case '--no-redis':
        parsed.redis = false;
        break;
      case '--redis-url':
        parsed.redisUrl = take();
        parsed.redis ??= true;
        break;
      case '--redis-prefix':
        parsed.redisPrefix = take();
        break;
      case '--scaling': {
        const mode = take();
        if (mode !== 'redis') throw new ServeUsageError(HostingMessages.badScaling(mode));
        parsed.scaling = mode;
        break;
      }
      case '--config':
        parsed.config = take();
        break;
      default:
        throw new ServeUsageError(HostingMessages.unknownFlag(flag));
    }
  }
  return parsed;
}

export interface ServeIo {
  env: Record<string, string | undefined>;
  cwd: string;
  out(line: string): void;
  err(line: string): void;
}

/**
 * Runs `nestjs-broadcasting serve`: resolves the cascade with the flags as the top layer,
 * starts the server and prints where it listens. Returns the handle, or the exit code when
 * it did not start (usage, configuration).
 */
export async function runServeCommand(
  argv: string[],
  io: ServeIo,
): Promise<BroadcastServerHandle | number> {
  let args: ServeArguments;
  try {
    args = parseServeArguments(argv);
  } catch (error) {
    if (!(error instanceof ServeUsageError)) throw error;
    io.err(HostingMessages.serveUsageError(error.message, SERVE_USAGE));
    return 2;
  }
  if (args.help) {
    io.out(SERVE_USAGE);
    return 0;
  }
  try {
    const env = args.config ? { ...io.env, BROADCASTING_CONFIG: args.config } : io.env;
    const config = await resolveBroadcastConfig(
      {
        server: { host: args.host, port: args.port, scaling: args.scaling },
        redis: { url: args.redisUrl, prefix: args.redisPrefix },
      },
      { env, cwd: io.cwd },
    );
    const server = await startBroadcastServer({
      config,
      redis: args.redis,
      logger: { ...consoleLogger, log: () => {} },
    });
    const app = server.engine.apps.all()[0];
    const wsUrl = server.url.replace(/^http/, 'ws');
    io.out(HostingMessages.serveListening(server.url, wsUrl, app.key, app.id));
    if (server.metricsUrl) io.out(HostingMessages.serveMetrics(server.metricsUrl));
    return server;
  } catch (error) {
    if (!(error instanceof BroadcastException)) throw error;
    io.err(HostingMessages.serveFailed(error.message));
    return 1;
  }
}
