import type { BroadcastJobData } from './broadcast-job.js';

/** An event's own retry settings, over the queue's (`@Broadcastable({ attempts, backoff })`). */
export interface JobRetryOptions {
  attempts?: number;
  backoff?: { type?: 'exponential' | 'fixed'; delay?: number };
}

/**
 * Where the manager puts queued broadcasts: BullMQ ({@link BroadcastQueueProducer}), or the
 * testing fake, which records them instead.
 */
export interface BroadcastJobSink {
  /**
   * The queue a choice names (`true`: the default queue). Throws a BroadcastConfigError
   * naming the key when queueing is off or the name is unknown.
   */
  queueName(choice: true | string, event: object | undefined): string;
  /** Adds one job (`retry`: the event's own attempts / backoff); rejects when the queue does not take it. */
  add(queue: string, job: BroadcastJobData, retry?: JobRetryOptions): Promise<void>;
  close(): Promise<void>;
}
