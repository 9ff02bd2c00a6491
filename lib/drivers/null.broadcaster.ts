import type { Broadcaster } from './broadcaster.interface.js';

/** Discards every broadcast: the default driver, so broadcasting is safe before it is configured. */
export class NullBroadcaster implements Broadcaster {
  async broadcast(): Promise<void> {}
}

/**
 * True when sending through `broadcaster` has no effect at all: a NullBroadcaster whose
 * `broadcast` is still the discarding one (not overridden by a subclass, nor spied on).
 * The manager then skips serializing the payload for it.
 * @internal
 */
export function discardsBroadcasts(broadcaster: Broadcaster): boolean {
  return broadcaster.broadcast === NullBroadcaster.prototype.broadcast;
}
