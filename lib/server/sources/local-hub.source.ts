import type { HubMessage, LocalBroadcastHub } from '../../drivers/local-hub.js';
import type { PublishTarget } from '../engine/engine-surface.js';
import { consoleLogger, type ServerLogger } from '../../shared/logger.js';
import { SourceMessages } from './source-messages.js';

/**
 * Delivers what the `local` driver publishes in this process: each hub message becomes one
 * `publish` on `appId`. The payload's JSON comes with the message (`json`, the manager's
 * own serialization); only a message published without it is serialized here.
 * Returns the function that detaches.
 */
export function attachLocalHub(
  hub: LocalBroadcastHub,
  target: PublishTarget,
  appId: string,
  logger: ServerLogger = consoleLogger,
): () => void {
  return hub.subscribe((message: HubMessage) => {
    const data = message.json ?? serialize(message, logger);
    if (data === undefined) return;
    target.publish(appId, message.channels, message.event, data, message.socket);
  });
}

/** The payload's JSON; undefined (logged) if it cannot be serialized. */
function serialize(message: HubMessage, logger: ServerLogger): string | undefined {
  try {
    // `?? '{}'`: a payload whose toJSON() returns undefined carries no data, as `{}`.
    return JSON.stringify(message.data ?? {}) ?? '{}';
  } catch (error) {
    // The driver validates payloads; a listener must still never throw into the hub.
    logger.error(SourceMessages.localPayloadNotJson(message.event, error));
    return undefined;
  }
}
