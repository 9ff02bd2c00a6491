import type { Broadcaster, BroadcastSendOptions } from './broadcaster.interface.js';
import { defaultLocalHub, type LocalBroadcastHub } from './local-hub.js';

/** Publishes in-process on a {@link LocalBroadcastHub}, where an embedded server delivers it. */
export class LocalBroadcaster implements Broadcaster {
  constructor(readonly hub: LocalBroadcastHub = defaultLocalHub) {}

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions = {},
  ): Promise<void> {
    this.hub.publish({ channels, event, data: payload, socket: options.exceptSocketId ?? null });
  }
}
