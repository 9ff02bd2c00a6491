import { parseArgs } from 'node:util';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../shared/logger.js';
import { QueueMessages } from './queue-messages.js';

export const WORK_USAGE = `Usage: nestjs-broadcasting work [options]

Runs queued broadcasts (BullMQ) through the configured drivers, like Laravel's queue:work
for ShouldBroadcast events. Reads the same configuration as the app: the config file
(BROADCASTING_CONFIG or config/broadcasting.*, its "queue" and "connections") and the
BROADCASTING_* environment (BROADCASTING_DEFAULT, BROADCASTING_REDIS_URL / _CLUSTER /
_PREFIX, BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET, BROADCASTING_PUSHER_*, and
BROADCASTING_QUEUE_URL / _NAME / _PREFIX / _CONCURRENCY / _ATTEMPTS / _BACKOFF_TYPE /
_BACKOFF_DELAY / _KEEP_FAILED / _KEEP_COMPLETED). Without BROADCASTING_QUEUE_URL the queue
is on BROADCASTING_REDIS_CLUSTER when set (prefix "{bull}"), else BROADCASTING_REDIS_URL.
Drivers registered in code (the "drivers" option) exist only in the app: run its in-app
worker (queue.worker) for those.

  --queue <names>          queues to serve, comma-separated (default: queue.name and queue.queues)
  --concurrency <number>   jobs run at once; above 1 a channel's broadcasts may leave out of
                           order (default 1, BROADCASTING_QUEUE_CONCURRENCY)
  --log-level <level>      error, warn, info or debug            (default info)
  --log-format <format>    text, or json: one JSON object per line (default text)
  --config <file>          configuration file (instead of config/broadcasting.*)
  -h, --help               show this help

On SIGINT / SIGTERM it takes no new job, finishes the jobs in hand, and exits.`;

/** What `work`'s flags ask for; undefined fields fall through to the cascade. */
export interface WorkArguments {
  help?: boolean;
  queues?: string[];
  concurrency?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  config?: string;
}

/** A command line `work` cannot run; the message says what is wrong. */
export class WorkUsageError extends Error {}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  queue: { type: 'string' },
  concurrency: { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  config: { type: 'string' },
} as const;

/** Parses `work [--flag value | --flag=value ...]`. */
export function parseWorkArguments(argv: string[]): WorkArguments {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    const flag = /'(-[^' ]+)/.exec((error as Error).message)?.[1] ?? '';
    throw new WorkUsageError(QueueMessages.unknownWorkFlag(flag));
  }
  const { values: flags, positionals } = parsed;
  if (flags.help) return { help: true };
  const extra = positionals.slice(1);
  if (extra.length > 0) throw new WorkUsageError(QueueMessages.unexpectedWorkArgument(extra[0]));
  const args: WorkArguments = {
    queues: flags.queue
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    concurrency: count('--concurrency', flags.concurrency),
    logLevel: oneOf('--log-level', flags['log-level'], LOG_LEVELS),
    logFormat: oneOf('--log-format', flags['log-format'], LOG_FORMATS),
    config: flags.config,
  };
  return Object.fromEntries(
    Object.entries(args).filter(([, value]) => value !== undefined),
  ) as WorkArguments;
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new WorkUsageError(QueueMessages.badWorkCount(flag, text));
  return Number(text);
}

function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[]) {
  if (text === undefined) return undefined;
  const value = text.toLowerCase() as T;
  if (!allowed.includes(value))
    throw new WorkUsageError(QueueMessages.badWorkChoice(flag, text, allowed));
  return value;
}
