import { channelKind, eventNameProblem } from '../../shared/pusher-protocol/channel-names.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { InboundMessage } from '../protocol/inbound-message.js';
import { EngineMessages } from './engine-messages.js';
import type { PusherConnection } from './pusher-connection.js';

/** A client event that may be relayed: its channel, wire data and the sender's presence id. */
export interface AcceptedClientEvent {
  channel: string;
  data: string;
  /** Presence user id of the sender, or '' on private channels. */
  userId: string;
}

/** Why a client event is refused: the message, and 4301 for the rate limit (else null). */
export interface RefusedClientEvent {
  refused: string;
  code: number | null;
}

/**
 * Pusher's rules for `client-*` events, in the order Pusher applies them: app setting,
 * channel present, name length, private/presence only, sender subscribed, rate, size.
 * Counts the event against the connection's per-second window.
 */
export function checkClientEvent(
  conn: PusherConnection,
  message: InboundMessage,
): AcceptedClientEvent | RefusedClientEvent {
  const { app } = conn;
  const channel = message.channel;
  if (!app.enableClientMessages) return refuse(EngineMessages.clientEventsDisabled());
  if (typeof channel !== 'string')
    return refuse(EngineMessages.clientEventNeedsChannel(message.event));
  if (eventNameProblem(message.event)) return refuse(EngineMessages.eventNameTooLong());
  const kind = channelKind(channel);
  if (kind !== 'private' && kind !== 'presence')
    return refuse(EngineMessages.clientEventChannelKind());
  const userId = conn.channels.get(channel);
  if (userId === undefined) return refuse(EngineMessages.subscribeBeforeClientEvents(channel));

  const now = Date.now();
  if (now - conn.rateWindowStart >= 1000) {
    conn.rateWindowStart = now;
    conn.rateCount = 0;
  }
  const perSecond = app.limits.clientEventsPerSecond;
  if (++conn.rateCount > perSecond)
    return {
      refused: EngineMessages.clientEventRateLimit(perSecond),
      code: CloseCode.CLIENT_EVENT_RATE_LIMIT,
    };

  const data =
    typeof message.data === 'string'
      ? message.data
      : (JSON.stringify(message.data ?? null) ?? 'null');
  if (Buffer.byteLength(data) > app.limits.maxEventBytes)
    return refuse(EngineMessages.clientEventTooLarge(app.limits.maxEventBytes));
  return { channel, data, userId };
}

function refuse(message: string): RefusedClientEvent {
  return { refused: message, code: null };
}
