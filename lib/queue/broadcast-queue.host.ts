import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { BroadcastManager } from '../core/broadcast-manager.js';
import { BROADCAST_CONFIG } from '../constants.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import {
  broadcastableClasses,
  broadcastableOptionsOf,
  type BroadcastableOptions,
} from '../events/broadcastable.decorator.js';
import { ConfigMessages } from '../config/config-messages.js';
import { BroadcastQueueWorker } from './broadcast-queue.worker.js';
import { checkQueuePrefix } from './queue-connection.js';
import { QueueMessages } from './queue-messages.js';

/** An event's own attempts / backoff, checked at boot like the queue's. */
function checkRetry(className: string, options: BroadcastableOptions): void {
  const bad = (key: string, value: unknown, problem: string) => {
    throw new BroadcastConfigError(
      QueueMessages.badEventRetry(className, key, value, problem),
      key,
    );
  };
  const { attempts, backoff } = options;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1))
    bad('attempts', attempts, ConfigMessages.problems.integer(1));
  if (backoff?.delay !== undefined && (!Number.isInteger(backoff.delay) || backoff.delay < 0))
    bad('backoff.delay', backoff.delay, ConfigMessages.problems.integer(0));
  if (backoff?.type !== undefined && !['exponential', 'fixed'].includes(backoff.type))
    bad('backoff.type', backoff.type, ConfigMessages.problems.oneOf(['exponential', 'fixed']));
}

/**
 * The queue's part of BroadcastModule: at boot, checks the prefix against the queue's Redis
 * (a cluster needs a hash tag) and the queue and connection every
 * `@Broadcastable({ queue })` class names (a typo fails the boot, not the first dispatch);
 * with `queue.worker`, runs the in-app worker from bootstrap until shutdown, stopping it
 * before the manager closes the drivers its last jobs use.
 */
@Injectable()
export class BroadcastQueueHost
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('BroadcastQueue');
  private worker?: BroadcastQueueWorker;

  constructor(
    @Inject(BroadcastManager) private readonly manager: BroadcastManager,
    @Inject(BROADCAST_CONFIG) private readonly config: ResolvedBroadcastConfig,
  ) {}

  onModuleInit(): void {
    // Without a queue, an event that asks for one fails at dispatch with the same message.
    if (!this.config.queue) return;
    // Before the producer's first job or the worker's start: both would meet CROSSSLOT.
    checkQueuePrefix(this.config);
    for (const type of broadcastableClasses()) {
      const options = broadcastableOptionsOf(type);
      if (!options) continue;
      // Any event may be queued (queue.default, broadcastQueue()): its retry settings too.
      checkRetry(type.name, options);
      if (options.queue === undefined || options.queue === false) continue;
      this.manager.queueNameFor(options.queue, type.prototype as object);
      const connections = [options.connection ?? []].flat();
      for (const name of connections) {
        if (!this.manager.isKnownConnection(name))
          throw new BroadcastConfigError(
            QueueMessages.unknownConnection(
              `the connection of ${type.name}`,
              name,
              this.manager.knownConnections(),
            ),
            'connection',
          );
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.queue?.worker) return;
    const logger = this.logger;
    this.worker = new BroadcastQueueWorker(this.manager, this.config.queue, {
      log: (message) => logger.log(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    });
    await this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }
}
