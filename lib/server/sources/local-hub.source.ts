import type { HubMessage, LocalBroadcastHub } from '../../drivers/local-hub.js';
import type { PublishTarget } from '../engine/engine-surface.js';
import { consoleLogger, type ServerLogger } from '../../shared/logger.js';
import { SourceMessages } from './source-messages.js';

/**
 * Delivers what the `local` driver publishes in this process: each hub message becomes one
 * `publish` on its `appId`, or on `appIds[0]` (the server's first app) when it names none.
 * A message for an app this server does not serve is dropped, logged once per app id. The
 * payload's JSON comes with the message (`json`, the manager's own serialization); only a
 * message published without it is serialized here. Returns the function that detaches.
 */
export function attachLocalHub(
  hub: LocalBroadcastHub,
  target: PublishTarget,
  appIds: readonly string[],
  logger: ServerLogger = consoleLogger,
): () => void {
  const served = new Set(appIds);
  const reported = new Set<string>();
  return hub.subscribe((message: HubMessage) => {
    const appId = message.appId ?? appIds[0];
    if (!served.has(appId)) {
      if (!reported.has(appId)) {
        reported.add(appId);
        logger.warn(SourceMessages.localUnknownApp(appId, appIds));
      }
      return;
    }
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
