import type { Broadcaster } from '../drivers/broadcaster.interface.js';
import { BroadcastManager } from '../core/broadcast-manager.js';
import type { BroadcastModuleOptions } from '../config/broadcast-options.interface.js';
import { defaultBroadcastConfig } from '../config/default-config.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import type { BroadcastJobSink } from '../queue/broadcast-job-sink.interface.js';
import { BroadcasterFake } from './broadcaster.fake.js';

/**
 * A real {@link BroadcastManager} (same validation, same event defaults, same toOthers)
 * whose every connection is the fake, so nothing leaves the process.
 */
export class FakeBroadcastManager extends BroadcastManager {
  constructor(
    readonly fake: BroadcasterFake = new BroadcasterFake(),
    config: ResolvedBroadcastConfig = defaultBroadcastConfig(),
    options: BroadcastModuleOptions = {},
  ) {
    super(config, options);
  }

  override connection(_name?: string): Broadcaster {
    return this.fake;
  }

  /** Queued broadcasts are recorded by the fake (`assertQueued`, `runQueued()`), not sent to Redis. */
  protected override createJobSink(): BroadcastJobSink {
    const { fake, config } = this;
    return {
      // Any name is accepted: the fake has no queue of its own to check against.
      queueName: (choice) => (choice === true ? (config.queue?.name ?? 'broadcasts') : choice),
      add: async (queue, job) => fake.recordQueued(queue, job),
      close: async () => undefined,
    };
  }
}

/**
 * A manager whose `driver()` / `connection()` is `fake`. Use it with
 * `Test.createTestingModule(...).overrideProvider(BroadcastManager).useValue(...)`,
 * or pass it to `Broadcast.setManager()`.
 */
export function createFakeBroadcastManager(
  fake: BroadcasterFake = new BroadcasterFake(),
): FakeBroadcastManager {
  return new FakeBroadcastManager(fake);
}
