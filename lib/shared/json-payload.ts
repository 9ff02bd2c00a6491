import { BroadcastMessages } from '../core/broadcast-messages.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';

/** Checks that a payload is a plain object, the shape every driver and client expects. */
export function assertPayloadObject(
  event: string,
  payload: unknown,
): asserts payload is Record<string, unknown> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new BroadcastDriverError(BroadcastMessages.payloadNotObject(event, payload));
  }
}

/**
 * Serializes a payload once, before any driver sends a byte: a BigInt or a cycle would
 * otherwise fail halfway through a multi-connection send. The JSON is then handed to the
 * drivers that can use it, so it is not computed twice. Undefined only when the payload's
 * own `toJSON()` returns undefined.
 */
export function serializePayload(
  event: string,
  payload: Record<string, unknown>,
): string | undefined {
  try {
    return JSON.stringify(payload);
  } catch (error) {
    throw new BroadcastDriverError(BroadcastMessages.payloadNotJson(event, error), {
      cause: error,
    });
  }
}
