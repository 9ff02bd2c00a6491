import type { EmittingEmitter } from '../../events/find-event-emitter.js';
import { emitBroadcastingEvent } from '../../webhooks/broadcasting-events.js';
import type { ServerEvents } from '../engine/server-events.js';
import type { ServerLogger } from '../../shared/logger.js';

/**
 * Re-emits the engine's events on the app's EventEmitter2 as `broadcasting.<name>` with
 * their typed payload (`ChannelOccupied`, `MemberAdded`, ...), so `@OnEvent` listeners of an
 * app hosting the server hear what its webhooks report, with the same cluster semantics: the
 * node that owns a transition emits it. Returns the function that stops it.
 */
export function bridgeServerEvents(
  events: ServerEvents,
  emitter: EmittingEmitter,
  logger: ServerLogger,
): () => void {
  // Emitted from the engine's subscribe path: a listener's bug is the app's to see, not the
  // subscriber's.
  const logError = (message: string) => logger.error(message);
  return events.on(({ appId, event, timeMs, id }) =>
    emitBroadcastingEvent(emitter, logError, appId, event, timeMs, id),
  );
}
