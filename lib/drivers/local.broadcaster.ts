import type {
  Broadcaster,
  BroadcastSendOptions,
  PreparedBroadcast,
} from './broadcaster.interface.js';
import { defaultLocalHub, type LocalBroadcastHub } from './local-hub.js';
import { preparedJson } from './prepared-json.js';

/** Publishes in-process on a {@link LocalBroadcastHub}, where an embedded server delivers it. */
export class LocalBroadcaster implements Broadcaster {
  /** `appId`: the server app its broadcasts are for; omitted, the server's first app. */
  constructor(
    readonly hub: LocalBroadcastHub = defaultLocalHub,
    readonly appId?: string,
  ) {}

  /** The manager's JSON rides along in the hub message, so the server need not serialize. */
  broadcastPrepared(message: PreparedBroadcast): Promise<void> {
    return this.broadcast(message.channels, message.event, message.payload, message);
  }

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions | PreparedBroadcast = {},
  ): Promise<void> {
    this.hub.publish({
      channels,
      event,
      data: payload,
      json: preparedJson(payload, options),
      socket: options.exceptSocketId ?? null,
      appId: this.appId,
    });
  }
}
