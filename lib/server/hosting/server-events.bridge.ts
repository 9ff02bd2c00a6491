import type { EmittingEmitter } from '../../events/find-event-emitter.js';
import {
  BROADCASTING_EVENT_PREFIX,
  toBroadcastingEvent,
} from '../../webhooks/broadcasting-events.js';
import type { ServerEvents } from '../engine/server-events.js';

/**
 * Re-emits the engine's events on the app's EventEmitter2 as `broadcasting.<name>` with
 * their typed payload (`ChannelOccupied`, `MemberAdded`, ...), so `@OnEvent` listeners of an
 * app hosting the server hear what its webhooks report, with the same cluster semantics: the
 * node that owns a transition emits it. Returns the function that stops it.
 */
export function bridgeServerEvents(events: ServerEvents, emitter: EmittingEmitter): () => void {
  return events.on(({ appId, event, timeMs, id }) => {
    const payload = toBroadcastingEvent(appId, event, timeMs, id);
    if (payload) emitter.emit(BROADCASTING_EVENT_PREFIX + event.name, payload);
  });
}
