import { defaultBroadcastConfig } from '../config/default-config.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import type { BroadcastQueueOptions } from '../queue/queue-options.interface.js';

/** What a test may set of the module's behaviour: the queue's default choice and name. */
export interface BroadcastTestingOptions {
  /**
   * Queue as the app does (`queue: { default: true }`), so `assertQueued` sees the events
   * that the app would queue. Nothing reaches Redis: the fake records them.
   * @default no queue: only events that ask for one are queued
   */
  queue?: Pick<BroadcastQueueOptions, 'default' | 'name'>;
}

/**
 * Pusher-protocol credentials of the testing module. Channel authorization refuses to boot
 * with `@ChannelAuth` methods and no credentials to sign with, so tests of an app that
 * authorizes channels need some; these are fixed and public, never for production.
 */
export const TESTING_APP = { id: 'testing', key: 'testing-key', secret: 'testing-secret' };

/** Every key at its default (no file, no env), plus {@link TESTING_APP}. */
export function testingBroadcastConfig(
  options: BroadcastTestingOptions = {},
): ResolvedBroadcastConfig {
  const config = defaultBroadcastConfig();
  const queue = options.queue && {
    url: config.redis.url,
    name: options.queue.name ?? 'broadcasts',
    queues: [],
    prefix: 'bull',
    default: options.queue.default ?? false,
    worker: false,
    concurrency: 1,
    attempts: 1,
    backoff: { type: 'fixed' as const, delay: 0 },
    keepFailed: 0,
    keepCompleted: 0,
  };
  return {
    ...config,
    queue,
    app: { ...TESTING_APP },
    sources: {
      ...config.sources,
      'app.id': 'default',
      'app.key': 'default',
      'app.secret': 'default',
    },
  };
}
