import type { Broadcaster } from './broadcaster.interface.js';
import { defaultLocalHub, type LocalBroadcastHub } from './local-hub.js';
import {
  READS_SERIALIZED_PAYLOAD,
  serializedJson,
  type InternalSendOptions,
} from './serialized-payload.js';

/** Publishes in-process on a {@link LocalBroadcastHub}, where an embedded server delivers it. */
export class LocalBroadcaster implements Broadcaster {
  /** The manager's JSON of the payload rides along in the hub message (`json`). */
  readonly [READS_SERIALIZED_PAYLOAD] = true;

  constructor(readonly hub: LocalBroadcastHub = defaultLocalHub) {}

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: InternalSendOptions = {},
  ): Promise<void> {
    const json = serializedJson(payload, options)?.json;
    this.hub.publish({
      channels,
      event,
      data: payload,
      json,
      socket: options.exceptSocketId ?? null,
    });
  }
}
