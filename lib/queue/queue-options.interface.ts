/**
 * Where BullMQ connects: ioredis options (`host`, `port`, `password`, `db`, `tls`, ...), a
 * `url`, or an ioredis client the app already has (e.g. the one `BullModule` uses), which
 * is never closed by this package. A `Cluster` client works too; a worker on it needs
 * `redisOptions: { maxRetriesPerRequest: null }` (BullMQ's rule), and the prefix a hash tag.
 */
export type BroadcastQueueConnection = ({ url?: string } & Record<string, unknown>) | object;

/** How a failed job waits before its next attempt (BullMQ's built-in strategies). */
export interface BroadcastQueueBackoff {
  /** @default 'exponential' (BROADCASTING_QUEUE_BACKOFF_TYPE) */
  type?: 'exponential' | 'fixed';
  /** Milliseconds: the wait before the 2nd attempt, doubled each time when exponential. @default 1000 (BROADCASTING_QUEUE_BACKOFF_DELAY) */
  delay?: number;
}

/**
 * `BroadcastModule.forRoot({ queue })`: queued broadcasts on BullMQ, Laravel's
 * `ShouldBroadcast`. Setting any key (here, in the config file's `queue`, or a
 * `BROADCASTING_QUEUE_*` variable) turns queueing on; `bullmq` is loaded only then.
 */
export interface BroadcastQueueOptions {
  /**
   * Redis for the queue: ioredis options, a client, or `{ url }`. Without it and without a
   * queue URL, the queue follows the redis driver: the `redis.cluster` nodes, else `redis.url`.
   * @default { url: BROADCASTING_QUEUE_URL }, else a Cluster on `redis.cluster`, else { url: `redis.url` }
   */
  connection?: BroadcastQueueConnection;
  /** The queue's Redis URL, the scalar form of `connection`; unset, `redis.cluster` wins when set. @default BROADCASTING_QUEUE_URL, else `redis.url` */
  url?: string;
  /** The queue broadcasts go to unless an event names another. @default 'broadcasts' (BROADCASTING_QUEUE_NAME) */
  name?: string;
  /**
   * Other queue names events may pick (`@Broadcastable({ queue: 'low' })`); a name that is
   * neither this nor `name` fails the boot. A worker of this app serves them all.
   * @default []
   */
  queues?: string[];
  /**
   * BullMQ's key prefix: the queue lives under `bull:broadcasts:*`. On a Redis Cluster it must
   * hold a hash tag (`{bull}`), which keeps each queue's keys in one slot; without one the boot fails.
   * @default 'bull', `'{bull}'` on a Redis Cluster (BROADCASTING_QUEUE_PREFIX)
   */
  prefix?: string;
  /** Queue every broadcastable event unless it says `queue: false`. @default false (BROADCASTING_QUEUE_DEFAULT) */
  default?: boolean;
  /** Run a worker in this app. @default false (BROADCASTING_QUEUE_WORKER) */
  worker?: boolean;
  /** Jobs the worker runs at once; above 1, a channel's broadcasts may leave out of order. @default 1 (BROADCASTING_QUEUE_CONCURRENCY) */
  concurrency?: number;
  /** Tries per job, the first included (Laravel's `tries`). @default 3 (BROADCASTING_QUEUE_ATTEMPTS) */
  attempts?: number;
  /** @default { type: 'exponential', delay: 1000 } */
  backoff?: BroadcastQueueBackoff;
  /** Failed jobs kept in the failed set, the newest first (bounded retention). @default 1000 (BROADCASTING_QUEUE_KEEP_FAILED) */
  keepFailed?: number;
  /** Completed jobs kept; 0 removes a job as soon as it is sent. @default 0 (BROADCASTING_QUEUE_KEEP_COMPLETED) */
  keepCompleted?: number;
}

/** The `queue` section after the cascade; absent when queueing is off. */
export interface ResolvedQueueConfig {
  /** A connection given by code or file (object or client), else undefined. */
  connection?: BroadcastQueueConnection;
  /** BROADCASTING_QUEUE_URL, else `redis.url`. */
  url: string;
  /** `redis.cluster`'s seed nodes, when the queue has no Redis of its own (no connection, no url). */
  cluster?: string[];
  name: string;
  queues: string[];
  prefix: string;
  default: boolean;
  worker: boolean;
  concurrency: number;
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
  keepFailed: number;
  keepCompleted: number;
}
