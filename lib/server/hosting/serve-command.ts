import { resolveBroadcastConfig } from '../../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { BroadcastException } from '../../errors/broadcast.exception.js';
import {
  leveledLogger,
  streamLogger,
  type LogFormat,
  type LogStreams,
  type ServerLogger,
} from '../../shared/logger.js';
import type { BroadcastServerOptions } from '../options/server-options.interface.js';
import { HostingMessages } from './hosting-messages.js';
import {
  parseServeArguments,
  SERVE_USAGE,
  ServeUsageError,
  type ServeArguments,
} from './serve-arguments.js';
import { startBroadcastServer, type BroadcastServerHandle } from './start-broadcast-server.js';
import { resolveServerOptions } from '../options/resolve-server-options.js';
import { withRedisDefault } from './broadcast-server-runtime.js';
import { serveWorkers } from './workers/serve-workers.js';
import type { WorkersSession } from './workers/workers-primary.js';
import { reportReady, workerLogger, workerMetrics, workerSlot } from './workers/worker-process.js';

export { parseServeArguments, SERVE_USAGE, ServeUsageError, type ServeArguments };

export interface ServeIo extends LogStreams {
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A server the bin started, and how it stops. */
export interface ServeSession {
  server: BroadcastServerHandle;
  /**
   * The first call shuts down within `shutdownGraceSeconds` (plus 1 s) and resolves with
   * the exit code: 0, or 1 when closing failed or overran. A second call (a second signal)
   * resolves with 1 at once, for an impatient operator; in a worker of `serve --workers`
   * it is the same stop (the primary handles impatience).
   */
  stop(signal: string): Promise<number>;
}

/**
 * Runs `nestjs-broadcasting serve`: resolves the cascade with the flags as the top layer,
 * starts the server, whose listening line says where. Every line goes through the server's
 * logger, so with `--log-format json` stdout and stderr carry JSON lines only. Returns the
 * session, or the exit code when it did not start (2: usage, 1: configuration).
 */
export async function runServeCommand(
  argv: string[],
  io: ServeIo,
): Promise<ServeSession | WorkersSession | number> {
  let args: ServeArguments;
  try {
    args = parseServeArguments(argv);
  } catch (error) {
    if (!(error instanceof ServeUsageError)) throw error;
    if (envFormat(io.env) === 'json') streamLogger('json', io).error(error.message);
    else io.err(HostingMessages.serveUsageError(error.message, SERVE_USAGE));
    return 2;
  }
  if (args.help) {
    io.out(SERVE_USAGE);
    return 0;
  }
  let config: ResolvedBroadcastConfig | undefined;
  try {
    const env = args.config ? { ...io.env, BROADCASTING_CONFIG: args.config } : io.env;
    config = await resolveBroadcastConfig(
      {
        server: {
          host: args.host,
          port: args.port,
          scaling: args.scaling,
          workers: args.workers,
        },
        redis: { url: args.redisUrl, cluster: args.redisCluster, prefix: args.redisPrefix },
      },
      { env, cwd: io.cwd },
    );
    const options = { ...flagOptions(args, config), redis: args.redis };
    const sink = streamLogger(args.logFormat ?? config.server.log.format, io);
    // `--workers N` in the primary: it forks N of this same command line and serves none itself.
    const slot = workerSlot(io.env);
    if (slot === undefined && config.server.workers > 1) {
      const logger = leveledLogger(sink, args.logLevel ?? config.server.log.level);
      const primary = await serveWorkers(argv, options, config, logger);
      if ((args.logFormat ?? config.server.log.format) === 'json') routeProcessWarnings(logger);
      return primary;
    }
    // A worker's metrics: the primary serves the one metrics port, reading them over IPC.
    const metrics =
      slot === undefined
        ? undefined
        : await workerMetrics(
            resolveServerOptions(withRedisDefault(options, config), config).metrics,
            slot,
          );
    const server = await startBroadcastServer({
      ...options,
      ...(metrics && { metrics }),
      config,
      logger: slot === undefined ? sink : workerLogger(sink, slot),
    });
    // Node prints its warnings as plain text on stderr; JSON lines must be all there is.
    if (server.options.log.format === 'json') routeProcessWarnings(server.logger);
    if (slot !== undefined) reportReady(server.url);
    return session(server, slot !== undefined);
  } catch (error) {
    if (!(error instanceof BroadcastException)) throw error;
    const format = args.logFormat ?? config?.server.log.format ?? envFormat(io.env);
    const slot = workerSlot(io.env);
    const logger = streamLogger(format, io);
    (slot === undefined ? logger : workerLogger(logger, slot)).error(error.message);
    return 1;
  }
}

/** The flags that are server options (the top layer, over the file and the env). */
function flagOptions(
  args: ServeArguments,
  config: ResolvedBroadcastConfig,
): BroadcastServerOptions {
  const options: BroadcastServerOptions = {
    log: { level: args.logLevel, format: args.logFormat },
    shutdownGraceSeconds: args.shutdownGraceSeconds,
  };
  if (args.metricsPort !== undefined) options.metrics = { port: args.metricsPort };
  if (args.tlsCert !== undefined || args.tlsKey !== undefined || args.tlsCa !== undefined) {
    // A flag replaces its own file only; the others still come from the file or the env.
    const { cert, key, ca } = config.server.tls ?? {};
    const tls = { cert: args.tlsCert ?? cert, key: args.tlsKey ?? key, ca: args.tlsCa ?? ca };
    // A missing half is reported by the resolver, naming the flag's variable and file key.
    options.tls = tls as BroadcastServerOptions['tls'];
  }
  return options;
}

/**
 * `worker`: a worker of `serve --workers` hears the terminal's Ctrl-C or systemd's SIGTERM
 * to the whole group and the primary's SIGTERM, one request twice: a repeat is the same
 * stop. The primary itself keeps the impatient operator's second signal (it kills).
 */
function session(server: BroadcastServerHandle, worker: boolean): ServeSession {
  const { logger } = server;
  let stopping: Promise<number> | undefined;
  return {
    server,
    stop(signal) {
      if (stopping && worker) return stopping;
      if (stopping) {
        logger.error(HostingMessages.signalAgain(signal), { signal });
        return Promise.resolve(1);
      }
      logger.log(HostingMessages.signalReceived(signal), { signal });
      const grace = server.options.shutdownGraceSeconds;
      stopping = new Promise<number>((resolve) => {
        // The runtime cuts what is left at the grace; this is for a close that hangs anyway.
        const overdue = setTimeout(
          () => {
            logger.error(HostingMessages.shutdownOverdue(grace));
            resolve(1);
          },
          grace * 1000 + 1000,
        );
        server.close().then(
          () => {
            clearTimeout(overdue);
            resolve(0);
          },
          (error: unknown) => {
            clearTimeout(overdue);
            logger.error(
              HostingMessages.shutdownFailed((error as Error)?.message ?? String(error)),
            );
            resolve(1);
          },
        );
      });
      return stopping;
    },
  };
}

/** The format the environment asks for, for errors raised before the cascade is known. */
function envFormat(env: Record<string, string | undefined>): LogFormat {
  return env.BROADCASTING_LOG_FORMAT?.toLowerCase() === 'json' ? 'json' : 'text';
}

/**
 * Sends the process's warnings (deprecations, listener leaks) through `logger` instead of
 * Node's own plain-text printer. Returns the function that puts Node's printer back.
 */
export function routeProcessWarnings(logger: ServerLogger): () => void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  const toLog = (warning: Error) =>
    logger.warn(`${warning.name}: ${warning.message}`, {
      warning: warning.name,
      code: (warning as NodeJS.ErrnoException).code,
    });
  process.on('warning', toLog);
  return () => {
    process.off('warning', toLog);
    for (const printer of printers) process.on('warning', printer);
  };
}
