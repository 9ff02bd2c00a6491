import {
  channelNameProblem,
  eventNameProblem,
  isValidSocketId,
  MAX_CHANNEL_NAME_LENGTH,
  MAX_EVENT_NAME_LENGTH,
} from '../../shared/pusher-protocol/channel-names.js';
import { badRequest, HttpApiError } from './http-api-error.js';
import type { HttpApiApp } from '../engine/engine-surface.js';

/** Channel attributes a trigger may ask for in `info`. */
export type ChannelAttribute = 'user_count' | 'subscription_count';

/** One validated event of `POST /events` or of a `batch_events` entry. */
export interface TriggerRequest {
  name: string;
  /** The event data exactly as the wire carries it: a string, usually JSON. */
  data: string;
  channels: string[];
  socketId: string | null;
  info: ChannelAttribute[];
}

const EVENT_ATTRIBUTES: readonly ChannelAttribute[] = ['user_count', 'subscription_count'];

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
    throw badRequest('Request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('Request body must be a JSON object.');
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
    throw badRequest(`${where}an event must be a JSON object.`);
  const event = input as Record<string, unknown>;

  const name = event.name;
  const nameProblem = eventNameProblem(name);
  if (nameProblem === 'empty') throw badRequest(`${where}"name" must be a non-empty string.`);
  if (nameProblem === 'too long')
    throw badRequest(`${where}"name" is at most ${MAX_EVENT_NAME_LENGTH} characters.`);

  const data = event.data;
  if (typeof data !== 'string')
    throw badRequest(`${where}"data" must be a string (the JSON-encoded payload).`);

  const channels = readChannels(event, where);
  const { maxChannelsPerEvent, maxEventBytes } = app.limits;
  if (channels.length > maxChannelsPerEvent)
    throw badRequest(
      `${where}${channels.length} channels given; at most ${maxChannelsPerEvent} per event.`,
    );
  for (const channel of channels) {
    const problem = channelNameProblem(channel);
    if (problem)
      throw badRequest(`${where}invalid channel "${String(channel).slice(0, 60)}": ${problem}.`);
  }

  const size = Buffer.byteLength(data, 'utf8');
  if (size > maxEventBytes)
    throw new HttpApiError(
      413,
      `${where}"data" is ${size} bytes; at most ${maxEventBytes} bytes are accepted.`,
    );

  const socketId = event.socket_id ?? null;
  if (socketId !== null && !isValidSocketId(socketId))
    throw badRequest(`${where}"socket_id" must look like "123.456".`);

  return {
    name: name as string,
    data,
    channels,
    socketId,
    info: parseAttributes(event.info, EVENT_ATTRIBUTES, where),
  };
}

function readChannels(event: Record<string, unknown>, where: string): string[] {
  const list = event.channels ?? (event.channel === undefined ? undefined : [event.channel]);
  if (!Array.isArray(list) || list.length === 0)
    throw badRequest(
      `${where}"channels" must be a non-empty array of channel names (or give "channel").`,
    );
  if (!list.every((c): c is string => typeof c === 'string'))
    throw badRequest(`${where}every channel name must be a string.`);
  return list;
}

/** Parses a comma-separated `info` list, refusing attributes the endpoint does not know. */
export function parseAttributes<T extends string>(
  info: unknown,
  allowed: readonly T[],
  where = '',
): T[] {
  if (info === undefined || info === null || info === '') return [];
  if (typeof info !== 'string')
    throw badRequest(`${where}"info" must be a comma-separated string.`);
  const attributes = [
    ...new Set(
      info
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ];
  for (const attribute of attributes) {
    if (!(allowed as readonly string[]).includes(attribute))
      throw badRequest(
        `${where}unknown info attribute "${attribute.slice(0, 40)}"; supported: ${allowed.join(', ')}.`,
      );
  }
  return attributes as T[];
}
