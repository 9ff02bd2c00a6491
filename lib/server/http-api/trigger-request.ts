import {
  channelNameProblem,
  eventNameProblem,
  isValidSocketId,
  MAX_CHANNEL_NAME_LENGTH,
  MAX_EVENT_NAME_LENGTH,
} from '../../shared/pusher-protocol/channel-names.js';
import type { HttpApiApp } from '../engine/engine-surface.js';
import {
  CHANNEL_ATTRIBUTES,
  parseAttributes,
  type ChannelAttribute,
} from './channel-attributes.js';
import { badRequest, payloadTooLarge } from './http-api-error.js';
import { HttpApiMessages } from './http-api-messages.js';

/** One validated event of `POST /events` or of a `batch_events` entry. */
export interface TriggerRequest {
  name: string;
  /** The event data exactly as the wire carries it: a string, usually JSON. */
  data: string;
  channels: string[];
  socketId: string | null;
  info: ChannelAttribute[];
}

/**
 * Largest body a single event may take on the wire: its data JSON-escaped (quotes double),
 * the channel list and some room for the other fields. The body is refused past this before
 * it is parsed, so a huge request costs no parsing.
 */
export function maxEventBodyBytes(app: HttpApiApp): number {
  const { maxEventBytes, maxChannelsPerEvent } = app.limits;
  return maxEventBytes * 2 + maxChannelsPerEvent * (MAX_CHANNEL_NAME_LENGTH + 3) + 4096;
}

/** Parses a JSON body into an object, or throws a 400 saying it must be one. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest(HttpApiMessages.bodyNotJson());
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(HttpApiMessages.bodyNotObject());
  return value as Record<string, unknown>;
}

/**
 * Validates one event as Pusher's API does: `name` (at most 200 characters), `data` (a string
 * of at most `limits.maxEventBytes` bytes, else 413), `channels` or `channel` (valid names, at
 * most `limits.maxChannelsPerEvent`), optional `socket_id` and `info`. `where` prefixes the
 * messages (`batch[3]: `) so a caller finds the offending entry.
 */
export function parseTriggerRequest(input: unknown, app: HttpApiApp, where = ''): TriggerRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw badRequest(HttpApiMessages.eventNotObject(where));
  const event = input as Record<string, unknown>;

  const name = event.name;
  const nameProblem = eventNameProblem(name);
  if (nameProblem === 'empty') throw badRequest(HttpApiMessages.eventNameEmpty(where));
  if (nameProblem === 'too long')
    throw badRequest(HttpApiMessages.eventNameTooLong(where, MAX_EVENT_NAME_LENGTH));

  const data = event.data;
  if (typeof data !== 'string') throw badRequest(HttpApiMessages.dataNotString(where));

  const channels = readChannels(event, where);
  const { maxChannelsPerEvent, maxEventBytes } = app.limits;
  if (channels.length > maxChannelsPerEvent)
    throw badRequest(HttpApiMessages.tooManyChannels(where, channels.length, maxChannelsPerEvent));
  for (const channel of channels) {
    const problem = channelNameProblem(channel);
    if (problem) throw badRequest(HttpApiMessages.invalidEventChannel(where, channel, problem));
  }

  const size = Buffer.byteLength(data, 'utf8');
  if (size > maxEventBytes)
    throw payloadTooLarge(HttpApiMessages.dataTooLarge(where, size, maxEventBytes));

  const socketId = event.socket_id ?? null;
  if (socketId !== null && !isValidSocketId(socketId))
    throw badRequest(HttpApiMessages.badSocketId(where));

  return {
    name: name as string,
    data,
    channels,
    socketId,
    info: parseAttributes(event.info, CHANNEL_ATTRIBUTES, where),
  };
}

function readChannels(event: Record<string, unknown>, where: string): string[] {
  const list = event.channels ?? (event.channel === undefined ? undefined : [event.channel]);
  if (!Array.isArray(list) || list.length === 0)
    throw badRequest(HttpApiMessages.channelsMissing(where));
  if (!list.every((c): c is string => typeof c === 'string'))
    throw badRequest(HttpApiMessages.channelNotString(where));
  return list;
}
