import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import { QueueMessages } from './queue-messages.js';
import type { ResolvedQueueConfig } from './queue-options.interface.js';

/** What an event or a call says about queueing: false sends now, true the default queue, or a name. */
export type QueueChoice = boolean | string;

/** How a choice's origin is named in errors: `@Broadcastable(OrderShipped) queue`. */
export function choiceKey(event: object | undefined): string {
  return event ? `the queue of ${event.constructor?.name || 'Object'}` : 'send({ queue })';
}

/**
 * The queue a choice names. Throws a BroadcastConfigError naming the key when queueing is
 * off, or when the name is neither `queue.name` nor one of `queue.queues`.
 */
export function queueNameOf(
  config: ResolvedQueueConfig | undefined,
  choice: true | string,
  event: object | undefined,
): string {
  const key = choiceKey(event);
  if (!config) throw new BroadcastConfigError(QueueMessages.notConfigured(key), 'queue');
  if (choice === true || choice === config.name) return config.name;
  if (config.queues.includes(choice)) return choice;
  throw new BroadcastConfigError(
    QueueMessages.unknownQueue(key, choice, [config.name, ...config.queues]),
    'queue.queues',
  );
}

/** Every queue a worker of this configuration serves. */
export function servedQueues(config: ResolvedQueueConfig): string[] {
  return [...new Set([config.name, ...config.queues])];
}
