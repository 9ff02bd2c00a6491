import type { BroadcastJobData } from './broadcast-job.js';

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
  /** Adds one job; rejects when the queue does not take it. */
  add(queue: string, job: BroadcastJobData): Promise<void>;
  close(): Promise<void>;
}
