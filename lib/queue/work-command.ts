import { BroadcastManager } from '../core/broadcast-manager.js';
import { resolveBroadcastConfig } from '../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BroadcastException } from '../errors/broadcast.exception.js';
import {
  leveledLogger,
  streamLogger,
  type LogFormat,
  type LogStreams,
  type ServerLogger,
} from '../shared/logger.js';
import { BroadcastQueueWorker } from './broadcast-queue.worker.js';
import { checkQueuePrefix } from './queue-connection.js';
import { QueueMessages } from './queue-messages.js';
import {
  WORK_USAGE,
  WorkUsageError,
  parseWorkArguments,
  type WorkArguments,
} from './work-arguments.js';

export { WORK_USAGE, parseWorkArguments, WorkUsageError, type WorkArguments };

export interface WorkIo extends LogStreams {
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A worker the bin started, and how it stops (the same shape as `serve`'s session). */
export interface WorkSession {
  worker: BroadcastQueueWorker;
  /** The first call finishes the jobs in hand and resolves 0 (1 when closing failed); a second resolves 1 at once. */
  stop(signal: string): Promise<number>;
}

/**
 * Runs `nestjs-broadcasting work`: resolves the cascade with queueing on (the flags as the
 * top layer), builds a manager with the configured connections and starts a worker on every
 * served queue. Logs like `serve`: text or JSON lines, at the configured level. Returns the
 * session, or the exit code when it did not start (2: usage, 1: configuration or Redis).
 */
export async function runWorkCommand(argv: string[], io: WorkIo): Promise<WorkSession | number> {
  let args: WorkArguments;
  try {
    args = parseWorkArguments(argv);
  } catch (error) {
    if (!(error instanceof WorkUsageError)) throw error;
    io.err(QueueMessages.workUsageError(error.message, WORK_USAGE));
    return 2;
  }
  if (args.help) {
    io.out(WORK_USAGE);
    return 0;
  }
  let config: ResolvedBroadcastConfig | undefined;
  let logger: ServerLogger | undefined;
  try {
    const env = args.config ? { ...io.env, BROADCASTING_CONFIG: args.config } : io.env;
    // `queue: {}` turns queueing on whatever else is set: the worker is what it is for.
    config = await resolveBroadcastConfig(
      { queue: { concurrency: args.concurrency } },
      { env, cwd: io.cwd },
    );
    const queue = config.queue!;
    checkQueuePrefix(config);
    if (args.queues) {
      queue.name = args.queues[0];
      queue.queues = args.queues.slice(1);
    }
    const format = args.logFormat ?? config.server.log.format;
    logger = leveledLogger(streamLogger(format, io), args.logLevel ?? config.server.log.level);
    const manager = new BroadcastManager(config, {});
    const worker = new BroadcastQueueWorker(manager, queue, logger);
    await worker.start();
    return session(worker, manager, logger);
  } catch (error) {
    if (!(error instanceof BroadcastException) && !isConnectionError(error)) throw error;
    const format: LogFormat = args.logFormat ?? config?.server.log.format ?? 'text';
    (logger ?? streamLogger(format, io)).error((error as Error).message);
    return 1;
  }
}

function isConnectionError(error: unknown): boolean {
  return /ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(String((error as Error)?.message));
}

function session(
  worker: BroadcastQueueWorker,
  manager: BroadcastManager,
  logger: ServerLogger,
): WorkSession {
  let stopping: Promise<number> | undefined;
  return {
    worker,
    stop(signal) {
      if (stopping) {
        logger.error(QueueMessages.signalAgain(signal), { signal });
        return Promise.resolve(1);
      }
      logger.log(QueueMessages.signalReceived(signal), { signal });
      stopping = worker.close().then(
        async () => {
          await manager.onApplicationShutdown();
          return 0;
        },
        (error: unknown) => {
          logger.error(QueueMessages.stopFailed(error));
          return 1;
        },
      );
      return stopping;
    },
  };
}
