import type {
  Broadcaster,
  BroadcastSendOptions,
  PreparedBroadcast,
} from './broadcaster.interface.js';

/** What every discarded broadcast returns: one settled promise, nothing allocated per call. */
const DISCARDED: Promise<void> = Promise.resolve();

/** Discards every broadcast: the default driver, so broadcasting is safe before it is configured. */
export class NullBroadcaster implements Broadcaster {
  broadcast(
    _channels: string[],
    _event: string,
    _payload: Record<string, unknown>,
    _options?: BroadcastSendOptions,
  ): Promise<void> {
    return DISCARDED;
  }

  /**
   * Returns nothing when the broadcast was discarded, so an app on the default driver pays
   * no promise turn per dispatch. It goes through `broadcast()` with the public arguments,
   * so a subclass or a test spy that replaces `broadcast()` still sees every call, and what
   * that returns is passed on.
   */
  broadcastPrepared(message: PreparedBroadcast): Promise<void> | undefined {
    const { channels, event, payload, exceptSocketId } = message;
    const sent = this.broadcast(channels, event, payload, exceptSocketId ? { exceptSocketId } : {});
    return sent === DISCARDED ? undefined : sent;
  }
}
