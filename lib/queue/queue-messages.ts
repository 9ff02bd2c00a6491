import { QUEUE_CLUSTER_PREFIX } from '../config/config-keys.js';
import type { ConfigSource } from '../errors/broadcast.exception.js';

/**
 * Every message of queued broadcasts (lib/queue) and after-commit (lib/transactions).
 * Never a payload or a secret: event names, channels, queue and connection names only.
 */
const reasonOf = (error: unknown) => (error as Error)?.message ?? String(error);

/** Where `queue.prefix` came from, worded as the cascade's other errors word it. */
function prefixOrigin(source: ConfigSource | undefined, file: string | undefined): string {
  switch (source) {
    case 'option':
      return ' (from BroadcastModule options "queue.prefix")';
    case 'file':
      return ` (from config file ${file} "queue.prefix")`;
    case 'env':
      return ' (from env BROADCASTING_QUEUE_PREFIX)';
    default:
      return '';
  }
}

export const QueueMessages = {
  notConfigured: (what: string) =>
    `${what} asks for a queue, but queueing is off. Set BroadcastModule.forRoot({ queue: { ... } }), ` +
    'the config file\'s "queue", or BROADCASTING_QUEUE_URL; or drop the queue option to send at once.',

  unknownQueue: (key: string, name: string, known: string[]) =>
    `Unknown broadcast queue "${name}" (${key}). Known queues: ${known.join(', ')}. ` +
    'Add it to queue.queues, or use queue.name.',

  unknownConnection: (key: string, name: string, known: string[]) =>
    `Unknown broadcast connection "${name}" (${key}). Known: ${known.join(', ')}. ` +
    'Add it under "connections" or register a driver with the "drivers" option.',

  badEventRetry: (className: string, key: string, value: unknown, problem: string) =>
    `Invalid @Broadcastable() option ${key} = ${JSON.stringify(value)} on ${className}: ${problem}`,

  prefixWithoutHashTag: (prefix: string, source?: ConfigSource, file?: string) =>
    `Invalid broadcasting config queue.prefix = "${prefix}"${prefixOrigin(source, file)}: ` +
    "the queue's Redis is a Redis Cluster, where BullMQ needs all of a queue's keys in one slot, " +
    'so the prefix needs a hash tag in braces (else Redis refuses its scripts with CROSSSLOT). ' +
    `Set queue.prefix (or BROADCASTING_QUEUE_PREFIX) to "${QUEUE_CLUSTER_PREFIX}", the default on a cluster, or to "{${prefix}}".`,

  workerClientRetries: (value: unknown, cluster: boolean) =>
    `Invalid broadcasting config queue.connection: the queue worker cannot use the Redis client given there, ` +
    `whose maxRetriesPerRequest is ${value === undefined ? 'unset' : String(value)}; BullMQ's worker blocks waiting for jobs ` +
    `and needs null. Create the client with ${cluster ? '{ redisOptions: { maxRetriesPerRequest: null } }' : '{ maxRetriesPerRequest: null }'}, ` +
    'or give queue.url or ioredis options instead, from which the package makes a client of its own.',

  enqueueFailed: (event: string, queue: string, error: unknown) =>
    `Could not queue the broadcast "${event}" on queue "${queue}" (is Redis up?): ${reasonOf(error)}`,

  jobFailedFinally: (
    event: string,
    channels: string[],
    queue: string,
    attempts: number,
    error: unknown,
  ) =>
    `Queued broadcast "${event}" on [${channels.join(', ')}] failed its last attempt (${attempts}) on queue "${queue}" ` +
    `and stays in the failed set: ${reasonOf(error)}`,

  jobFailedRetrying: (event: string, attempt: number, attempts: number, error: unknown) =>
    `Queued broadcast "${event}" failed attempt ${attempt} of ${attempts}; it will be retried: ${reasonOf(error)}`,

  failedHookThrew: (event: string, error: unknown) =>
    `The failed() method of "${event}" threw: ${reasonOf(error)}`,

  partialDelivery: (event: string, failed: string[], error: unknown) =>
    `Broadcast "${event}" failed on connection(s) ${failed.join(', ')}: ${reasonOf(error)}`,

  workerStarted: (queues: string[], concurrency: number) =>
    `Broadcast worker serving queue(s) ${queues.join(', ')} with concurrency ${concurrency}`,

  workerError: (error: unknown) => `Broadcast worker error: ${reasonOf(error)}`,

  waitingForRedis: () =>
    'Broadcast worker waiting for Redis (the queue connection is not ready); jobs wait in Redis until it is',

  workerCloseOverdue: (ms: number) =>
    `Broadcast worker did not close within ${ms / 1000} s (is Redis down?); stopped waiting for it`,

  workerStopping: () => 'Broadcast worker stopping: finishing the jobs in hand',

  workerStopped: () => 'Broadcast worker stopped',

  afterCommitWithoutHooks: (event: string) =>
    `"${event}" is afterCommit, but no transactions option is set, so it was sent at once. ` +
    "Pass transactions: new TypeOrmTransactionHooks(dataSource) (or your ORM's hooks) to BroadcastModule.forRoot().",

  // The `work` command.
  unknownWorkFlag: (flag: string) =>
    `Unknown option ${flag || '(unreadable)'} for "work" (see --help).`,
  unexpectedWorkArgument: (argument: string) => `Unexpected argument "${argument}" after "work".`,
  badWorkCount: (flag: string, text: string) =>
    `${flag} must be a whole number of at least 1 (got "${text}").`,
  badWorkChoice: (flag: string, text: string, allowed: readonly string[]) =>
    `${flag} must be one of ${allowed.join(', ')} (got "${text}").`,
  workUsageError: (message: string, usage: string) => `nestjs-broadcasting: ${message}\n\n${usage}`,
  signalReceived: (signal: string) =>
    `${signal} received: finishing the jobs in hand, then exiting.`,
  signalAgain: (signal: string) => `${signal} again: exiting without waiting.`,
  stopFailed: (error: unknown) => `The broadcast worker did not stop cleanly: ${reasonOf(error)}`,
};
