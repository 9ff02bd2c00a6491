import {
  channelNameProblem,
  isValidEventName,
  isValidSocketId,
} from '../../shared/pusher-protocol/channel-names.js';

/** A broadcast as Laravel's (and this package's) redis driver publishes it. */
export interface LaravelRedisMessage {
  channel: string;
  event: string;
  /** The payload serialized once, as the wire carries it. */
  data: string;
  socket: string | null;
}

/** Why a message was dropped; each kind is logged once per delivery. */
export type RedisMessageProblem =
  | 'not JSON'
  | 'not a JSON object'
  | 'missing or invalid "event"'
  | 'missing "data"'
  | 'invalid channel name';

/**
 * Parses the body `{"event": name, "data": payload, "socket": socketId|null}` published on
 * `prefix + channel`. A `socket` that is not a socket id excludes nobody (Laravel passes the
 * X-Socket-ID header through unchecked), rather than costing everyone the broadcast.
 */
export function parseLaravelRedisMessage(
  channel: string,
  body: string,
): LaravelRedisMessage | RedisMessageProblem {
  if (channelNameProblem(channel)) return 'invalid channel name';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'not JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return 'not a JSON object';
  const { event, data, socket } = parsed as Record<string, unknown>;
  if (!isValidEventName(event)) return 'missing or invalid "event"';
  if (data === undefined) return 'missing "data"';
  return {
    channel,
    event,
    data: JSON.stringify(data),
    socket: isValidSocketId(socket) ? socket : null,
  };
}
