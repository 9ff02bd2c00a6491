import { BroadcastChannelError } from '../../errors/broadcast.exception.js';
import { ChannelPrefix } from './channel-prefixes.js';

/** Longest channel name the Pusher protocol accepts. */
export const MAX_CHANNEL_NAME_LENGTH = 200;

/** Longest event name the Pusher protocol accepts (the same limit as channel names). */
export const MAX_EVENT_NAME_LENGTH = 200;

/**
 * Why a value is not a valid event name, or `undefined` when it is: Pusher accepts any
 * non-empty string of at most {@link MAX_EVENT_NAME_LENGTH} characters. Callers wrap the
 * reason in their own wording (an exception, a 400, a close message).
 */
export function eventNameProblem(name: unknown): 'empty' | 'too long' | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'empty';
  if (name.length > MAX_EVENT_NAME_LENGTH) return 'too long';
  return undefined;
}

export function isValidEventName(name: unknown): name is string {
  return eventNameProblem(name) === undefined;
}

// `#` is allowed only for the reserved `#server-to-user-{id}` channels.
const CHANNEL_NAME = /^[A-Za-z0-9_\-=@,.;]+$/;
const SERVER_TO_USER = /^#server-to-user-[A-Za-z0-9_\-=@,.;]+$/;

export type ChannelKind = 'public' | 'private' | 'encrypted' | 'presence' | 'server-to-user';

/** Why a name is not a valid channel, or `undefined` when it is valid. */
export function channelNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0)
    return 'a channel name must be a non-empty string';
  if (name.length > MAX_CHANNEL_NAME_LENGTH)
    return `channel names are at most ${MAX_CHANNEL_NAME_LENGTH} characters (got ${name.length})`;
  if (CHANNEL_NAME.test(name) || SERVER_TO_USER.test(name)) return undefined;
  return 'channel names may contain only A-Z a-z 0-9 _ - = @ , . ;';
}

export function isValidChannelName(name: unknown): name is string {
  return channelNameProblem(name) === undefined;
}

/** Throws a {@link BroadcastChannelError} that says what is wrong with the name. */
export function assertValidChannelName(name: unknown): asserts name is string {
  const problem = channelNameProblem(name);
  if (problem) {
    const shown = typeof name === 'string' ? name.slice(0, 60) : String(name);
    throw new BroadcastChannelError(`Invalid channel name "${shown}": ${problem}.`, String(name));
  }
}

/** The kind of a channel, from its prefix. Cache prefixes are orthogonal: see {@link isCacheChannel}. */
export function channelKind(name: string): ChannelKind {
  if (name.startsWith(ChannelPrefix.encrypted)) return 'encrypted';
  if (name.startsWith(ChannelPrefix.private)) return 'private';
  if (name.startsWith(ChannelPrefix.presence)) return 'presence';
  if (name.startsWith(ChannelPrefix.serverToUser)) return 'server-to-user';
  return 'public';
}

/** `cache-x`, `private-cache-x`, `private-encrypted-cache-x`, `presence-cache-x`. */
export function isCacheChannel(name: string): boolean {
  return /^(private-(encrypted-)?|presence-)?cache-/.test(name);
}

/** Socket ids are `digits.digits` (pusher-js rejects anything else). */
export const SOCKET_ID = /^\d+\.\d+$/;

export function isValidSocketId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && SOCKET_ID.test(value);
}
