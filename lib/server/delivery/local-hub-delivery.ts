import type { HubMessage, LocalBroadcastHub } from '../../broadcasters/local-hub.js';
import type { PublishTarget } from '../engine/engine-surface.js';
import type { DeliveryLogger } from '../hosting/server-logger.js';

/**
 * Delivers what the `local` driver publishes in this process: each hub message becomes one
 * `publish` on `appId`, its payload serialized once here. Returns the function that detaches.
 */
export function attachLocalHub(
  hub: LocalBroadcastHub,
  target: PublishTarget,
  appId: string,
  logger: DeliveryLogger = console,
): () => void {
  return hub.subscribe((message: HubMessage) => {
    let data: string;
    try {
      data = JSON.stringify(message.data ?? {});
    } catch (error) {
      // The driver validates payloads; a listener must still never throw into the hub.
      logger.error(
        `Local broadcast "${message.event}" dropped: its payload is not JSON-serializable ` +
          `(${error instanceof Error ? error.message : String(error)}).`,
      );
      return;
    }
    target.publish(appId, message.channels, message.event, data, message.socket);
  });
}
