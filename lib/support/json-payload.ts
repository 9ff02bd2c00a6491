import { BroadcastMessages } from '../broadcast-messages.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';

/**
 * Checks that a payload is an object JSON can carry, before any driver sends a byte:
 * a BigInt or a cycle would otherwise fail halfway through a multi-connection send.
 */
export function assertJsonPayload(
  event: string,
  payload: unknown,
): asserts payload is Record<string, unknown> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new BroadcastDriverError(BroadcastMessages.payloadNotObject(event, payload));
  }
  try {
    JSON.stringify(payload);
  } catch (error) {
    throw new BroadcastDriverError(BroadcastMessages.payloadNotJson(event, error), {
      cause: error,
    });
  }
}
