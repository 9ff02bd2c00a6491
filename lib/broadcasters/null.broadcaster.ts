import type { Broadcaster } from './broadcaster.interface.js';

/** Discards every broadcast: the default driver, so broadcasting is safe before it is configured. */
export class NullBroadcaster implements Broadcaster {
  async broadcast(): Promise<void> {}
}
