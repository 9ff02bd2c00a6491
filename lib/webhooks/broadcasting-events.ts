import type { EmittingEmitter } from '../events/find-event-emitter.js';
import type { WebhookEvent, WebhookEventName } from './webhook-event.js';
import { WebhookReceiverMessages } from './webhook-receiver-messages.js';

/** EventEmitter2 names: `broadcasting.` + the webhook event name (`broadcasting.member_added`). */
export const BROADCASTING_EVENT_PREFIX = 'broadcasting.';

/** What every event emitted on EventEmitter2 carries. */
abstract class BroadcastingEvent {
  /** The webhook event name (`channel_occupied`, ...). */
  abstract readonly name: WebhookEventName;
  constructor(
    /** The Pusher app the event belongs to. */
    readonly appId: string,
    readonly channel: string,
    /** When the server recorded it (the webhook body's `time_ms`). */
    readonly timeMs: number,
    /**
     * The same for every delivery of one event: a retried webhook (after a lost 200) carries
     * the same id, so a listener can ignore one it has seen (docs/webhooks.md).
     */
    readonly id: string,
  ) {}
}

/** A channel got its first subscriber anywhere in the cluster. */
export class ChannelOccupied extends BroadcastingEvent {
  readonly name = 'channel_occupied' as const;
}

/** A channel lost its last subscriber everywhere in the cluster. */
export class ChannelVacated extends BroadcastingEvent {
  readonly name = 'channel_vacated' as const;
}

/** What both presence membership events carry: the user, besides the channel. */
abstract class MembershipEvent extends BroadcastingEvent {
  constructor(
    appId: string,
    channel: string,
    timeMs: number,
    id: string,
    readonly userId: string,
  ) {
    super(appId, channel, timeMs, id);
  }
}

/** A user's first connection joined a presence channel (anywhere in the cluster). */
export class MemberAdded extends MembershipEvent {
  readonly name = 'member_added' as const;
}

/** A user's last connection left a presence channel (or its node died). */
export class MemberRemoved extends MembershipEvent {
  readonly name = 'member_removed' as const;
}

/** A client sent a `client-*` event (a whisper). */
export class ClientEvent extends BroadcastingEvent {
  readonly name = 'client_event' as const;
  constructor(
    appId: string,
    channel: string,
    timeMs: number,
    id: string,
    /** The client's event name, e.g. `client-typing`. */
    readonly event: string,
    /** The data as sent: a JSON string. */
    readonly data: string,
    readonly socketId: string,
    /** The sender's user id, on presence channels. */
    readonly userId?: string,
  ) {
    super(appId, channel, timeMs, id);
  }
}

/** A client subscribed to a cache channel that had no cached event. */
export class CacheMiss extends BroadcastingEvent {
  readonly name = 'cache_miss' as const;
}

/** A channel's subscription count changed (only for apps that turn it on). */
export class SubscriptionCount extends BroadcastingEvent {
  readonly name = 'subscription_count' as const;
  constructor(
    appId: string,
    channel: string,
    timeMs: number,
    id: string,
    readonly subscriptionCount: number,
  ) {
    super(appId, channel, timeMs, id);
  }
}

export type AnyBroadcastingEvent =
  | ChannelOccupied
  | ChannelVacated
  | MemberAdded
  | MemberRemoved
  | ClientEvent
  | CacheMiss
  | SubscriptionCount;

/** The typed payload of one webhook event, or undefined for a name this package does not know. */
export function toBroadcastingEvent(
  appId: string,
  event: WebhookEvent,
  timeMs: number,
  id: string,
): AnyBroadcastingEvent | undefined {
  const { channel } = event;
  switch (event.name) {
    case 'channel_occupied':
      return new ChannelOccupied(appId, channel, timeMs, id);
    case 'channel_vacated':
      return new ChannelVacated(appId, channel, timeMs, id);
    case 'member_added':
      return new MemberAdded(appId, channel, timeMs, id, String(event.user_id));
    case 'member_removed':
      return new MemberRemoved(appId, channel, timeMs, id, String(event.user_id));
    case 'client_event':
      return new ClientEvent(
        appId,
        channel,
        timeMs,
        id,
        String(event.event),
        String(event.data),
        String(event.socket_id),
        event.user_id === undefined ? undefined : String(event.user_id),
      );
    case 'cache_miss':
      return new CacheMiss(appId, channel, timeMs, id);
    case 'subscription_count':
      return new SubscriptionCount(appId, channel, timeMs, id, Number(event.subscription_count));
    default:
      return undefined;
  }
}

/**
 * Emits one webhook event on EventEmitter2 as `broadcasting.<name>` with its typed payload
 * (nothing for a name this package does not know). A listener that throws is reported through
 * `logError`, never rethrown: the callers are the engine's subscribe path and a webhook request
 * already answered, neither of which a listener's bug may break.
 */
export function emitBroadcastingEvent(
  emitter: EmittingEmitter,
  logError: (message: string) => void,
  ...[appId, event, timeMs, id]: Parameters<typeof toBroadcastingEvent>
): void {
  const payload = toBroadcastingEvent(appId, event, timeMs, id);
  if (!payload) return;
  try {
    emitter.emit(BROADCASTING_EVENT_PREFIX + event.name, payload);
  } catch (error) {
    logError(WebhookReceiverMessages.listenerFailed(event.name, error));
  }
}
