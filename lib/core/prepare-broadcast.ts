import type { PreparedBroadcast } from '../drivers/broadcaster.interface.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import {
  assertValidChannelName,
  isValidEventName,
  isValidSocketId,
} from '../shared/pusher-protocol/channel-names.js';
import { assertPayloadObject, serializePayload } from '../shared/json-payload.js';
import { BroadcastMessages } from './broadcast-messages.js';

/** Throws a BroadcastDriverError unless `socketId` looks like pusher-js's `123.456`. */
export function assertSocketId(socketId: string): void {
  if (!isValidSocketId(socketId)) {
    throw new BroadcastDriverError(BroadcastMessages.invalidSocketId(socketId));
  }
}

/**
 * Validates a broadcast and serializes its payload once, before any driver runs, so a bad
 * message sends nothing anywhere and no driver serializes the payload again.
 * `channels` are full channel names.
 */
export function prepareBroadcast(
  channels: string[],
  event: string,
  payload: Record<string, unknown> = {},
  exceptSocketId: string | undefined,
): PreparedBroadcast {
  for (const channel of channels) assertValidChannelName(channel);
  if (!isValidEventName(event)) {
    throw new BroadcastDriverError(BroadcastMessages.invalidEventName(event));
  }
  assertPayloadObject(event, payload);
  if (exceptSocketId !== undefined) assertSocketId(exceptSocketId);
  // Serialized even when only the null driver receives it: the default driver must report
  // a payload (BigInt, cycle) that redis or pusher would refuse, not hide it until production.
  const json = serializePayload(event, payload);
  return { channels, event, payload, json, exceptSocketId };
}
