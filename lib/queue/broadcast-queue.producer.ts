import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import type { BroadcastJobData } from './broadcast-job.js';
import type { BroadcastJobSink, JobRetryOptions } from './broadcast-job-sink.interface.js';
import { queueNameOf } from './queue-choice.js';
import { loadBullmq, type BullQueue } from './load-bullmq.js';
import {
  closeQueueConnection,
  openQueueConnection,
  type QueueConnection,
} from './queue-connection.js';
import { QueueMessages } from './queue-messages.js';
import type { ResolvedQueueConfig } from './queue-options.interface.js';

/**
 * Adds broadcast jobs to BullMQ queues. `bullmq` and the Redis connection are loaded on the
 * first job, so an app that configures a queue but never queues pays nothing at boot.
 */
export class BroadcastQueueProducer implements BroadcastJobSink {
  private connection?: Promise<QueueConnection>;
  private readonly queues = new Map<string, Promise<BullQueue>>();

  /** `config` undefined: queueing is off, and every queue name says so. */
  constructor(private readonly config: ResolvedQueueConfig | undefined) {}

  queueName(choice: true | string, event: object | undefined): string {
    return queueNameOf(this.config, choice, event);
  }

  /** Job options: attempts and backoff (the event's over the config's) and bounded retention. */
  jobOptions(retry: JobRetryOptions = {}): Record<string, unknown> {
    const { attempts, backoff, keepCompleted, keepFailed } = this.config!;
    return {
      attempts: retry.attempts ?? attempts,
      backoff: {
        type: retry.backoff?.type ?? backoff.type,
        delay: retry.backoff?.delay ?? backoff.delay,
      },
      removeOnComplete: keepCompleted === 0 ? true : { count: keepCompleted },
      removeOnFail: { count: keepFailed },
    };
  }

  /** Adds one job; rejects with a BroadcastDriverError when Redis does not take it. */
  async add(queueName: string, data: BroadcastJobData, retry?: JobRetryOptions): Promise<void> {
    try {
      const queue = await this.queue(queueName);
      await queue.add(data.event, data, this.jobOptions(retry));
    } catch (error) {
      // A missing bullmq or ioredis already says what to install; anything else is Redis.
      if (error instanceof BroadcastDriverError) throw error;
      throw new BroadcastDriverError(QueueMessages.enqueueFailed(data.event, queueName, error), {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.allSettled(queues.map(async (queue) => (await queue).close()));
    const connection = this.connection;
    this.connection = undefined;
    await closeQueueConnection(await connection?.catch(() => undefined));
  }

  private queue(name: string): Promise<BullQueue> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = (async () => {
        const { Queue } = await loadBullmq();
        const connection = (this.connection ??= openQueueConnection(this.config!, 'producer'));
        // A connection that failed is not kept: the next dispatch tries again.
        connection.catch(() => {
          if (this.connection === connection) this.connection = undefined;
        });
        const { client } = await connection;
        // skipWaitingForReady: a Redis that is down fails the add() now, not never.
        return new Queue(name, {
          connection: client,
          prefix: this.config!.prefix,
          skipWaitingForReady: true,
        });
      })();
      queue.catch(() => this.queues.delete(name));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
