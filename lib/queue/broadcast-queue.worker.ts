import type { BroadcastManager } from '../core/broadcast-manager.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import { broadcastableClasses } from '../events/broadcastable.decorator.js';
import type { ServerLogger } from '../shared/logger.js';
import type { BroadcastJobData } from './broadcast-job.js';
import { loadBullmq, type BullJob, type BullmqModule, type BullWorker } from './load-bullmq.js';
import {
  closeQueueConnection,
  openQueueConnection,
  type QueueConnection,
} from './queue-connection.js';
import { servedQueues } from './queue-choice.js';
import { QueueMessages } from './queue-messages.js';
import type { ResolvedQueueConfig } from './queue-options.interface.js';

/**
 * Runs queued broadcasts: one BullMQ worker per served queue, each job sent through the
 * manager's connections (inline, never queued again). A driver error fails the job, and
 * BullMQ retries it per `attempts` / `backoff`.
 *
 * Exactly-once toward a driver: a job whose connections all succeeded completes and is never
 * retried; when some of several connections failed, the job is narrowed to the failed ones
 * before it fails, so a retry does not send twice through those that succeeded.
 */
/** The longest a shutdown waits for BullMQ to close the workers. */
const CLOSE_BOUND_MS = 30_000;

type ReadyEvents = {
  status: string;
  on(event: 'error', listener: () => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
};

/**
 * Resolves once the client is ready. `onError` hears the first error while it is not; later
 * ones are swallowed here (ioredis retries by itself, and an 'error' without a listener would
 * print a plain-text line on stderr, breaking JSON logs).
 */
function whenReady(client: ReadyEvents, onError: () => void): Promise<void> {
  let told = false;
  client.on('error', () => {
    if (!told) onError();
    told = true;
  });
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

export class BroadcastQueueWorker {
  private readonly workers: BullWorker[] = [];
  private connection?: QueueConnection;

  constructor(
    private readonly manager: BroadcastManager,
    private readonly config: ResolvedQueueConfig,
    private readonly logger: ServerLogger,
  ) {}

  async start(): Promise<void> {
    const { Worker } = await loadBullmq('The broadcast worker');
    const connection = await openQueueConnection(this.config, 'worker');
    this.connection = connection;
    // Not awaited: a Redis that is down must not hold the app's boot (or the bin) hostage.
    // The workers are made once the connection is ready (BullMQ cannot close a worker that
    // never connected), and say so then.
    void whenReady(connection.client as ReadyEvents, () =>
      this.logger.warn(QueueMessages.waitingForRedis()),
    )
      .then(() => {
        if (this.connection !== connection) return; // closed meanwhile
        const queues = servedQueues(this.config);
        for (const name of queues) this.workers.push(this.worker(Worker, name, connection));
        return Promise.all(this.workers.map((worker) => worker.waitUntilReady())).then(() =>
          this.logger.log(QueueMessages.workerStarted(queues, this.config.concurrency), {
            queues,
            concurrency: this.config.concurrency,
          }),
        );
      })
      // Nothing here may end as an unhandled rejection, which stops a Node process.
      .catch((error) => this.logger.error(QueueMessages.workerError(error)));
  }

  /**
   * Stops taking jobs and waits for those in hand to finish (BullMQ's graceful close), at
   * most `CLOSE_BOUND_MS`: a Redis gone mid-shutdown must not hold the app's shutdown.
   */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    const workers = this.workers.splice(0);
    if (workers.length > 0) {
      this.logger.log(QueueMessages.workerStopping());
      const closed = Promise.allSettled(workers.map((worker) => worker.close()));
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'overdue'>((resolve) => {
        timer = setTimeout(() => resolve('overdue'), CLOSE_BOUND_MS);
      });
      const outcome = await Promise.race([closed, bound]);
      clearTimeout(timer);
      if (outcome === 'overdue')
        this.logger.error(QueueMessages.workerCloseOverdue(CLOSE_BOUND_MS));
    }
    await closeQueueConnection(connection);
    if (workers.length > 0) this.logger.log(QueueMessages.workerStopped());
  }

  private worker(Worker: BullmqModule['Worker'], name: string, connection: QueueConnection) {
    const worker = new Worker(name, (job) => this.process(job as BullJob<BroadcastJobData>), {
      connection: connection.client,
      prefix: this.config.prefix,
      concurrency: this.config.concurrency,
    });
    worker.on(
      'failed',
      (job, error) => void this.onFailed(job as BullJob<BroadcastJobData>, error),
    );
    worker.on('error', (error) => this.logger.error(QueueMessages.workerError(error)));
    return worker;
  }

  private async process(job: BullJob<BroadcastJobData>): Promise<void> {
    const { channels, event, payload, socket, connections } = job.data;
    const send = (connection: string | undefined) =>
      this.manager.send({
        channels,
        event,
        payload,
        exceptSocketId: socket ?? undefined,
        connection,
        queue: false,
      });
    if (!connections || connections.length === 1) return send(connections?.[0]);
    const outcomes = await Promise.allSettled(connections.map(send));
    const failed = connections.filter((_, i) => outcomes[i].status === 'rejected');
    if (failed.length === 0) return;
    const first = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    if (failed.length < connections.length)
      await job.updateData({ ...job.data, connections: failed });
    throw new BroadcastDriverError(QueueMessages.partialDelivery(event, failed, first.reason), {
      cause: first.reason,
    });
  }

  private async onFailed(job: BullJob<BroadcastJobData> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const { event, channels } = job.data;
    if (job.attemptsMade < attempts) {
      this.logger.log(QueueMessages.jobFailedRetrying(event, job.attemptsMade, attempts, error));
      return;
    }
    // Event and channels only: the payload is the app's data and stays out of logs.
    this.logger.warn(
      QueueMessages.jobFailedFinally(event, channels, job.queueName, attempts, error),
      {
        event,
        channels,
        queue: job.queueName,
        jobId: job.id,
      },
    );
    await this.runFailedHook(job.data, error);
  }

  /** Laravel's `failed($e)`: on a copy of the event rebuilt from the job, when its class is loaded here. */
  private async runFailedHook(data: BroadcastJobData, error: Error): Promise<void> {
    if (!data.origin) return;
    const type = [...broadcastableClasses()].find(
      (candidate) => candidate.name === data.origin!.class,
    );
    const failed = (type?.prototype as { failed?: unknown } | undefined)?.failed;
    if (!type || typeof failed !== 'function') return;
    const copy = Object.assign(
      Object.create(type.prototype as object) as object,
      data.origin.fields,
    );
    try {
      await (failed as (error: Error) => unknown).call(copy, error);
    } catch (hookError) {
      this.logger.error(QueueMessages.failedHookThrew(data.event, hookError));
    }
  }
}
