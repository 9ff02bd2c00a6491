import type { Broadcaster, BroadcastSendOptions } from './broadcaster.interface.js';

/**
 * The manager serializes every payload once, before anything is sent, to reject BigInts
 * and cycles. Built-in drivers that need the JSON (redis) read it from the send options
 * under this symbol instead of serializing again. Only drivers that declare
 * {@link READS_SERIALIZED_PAYLOAD} get it: custom drivers see the options they always did.
 * @internal
 */
export const SERIALIZED_PAYLOAD = Symbol('nestjs-broadcasting:serialized-payload');

/** Set to true on a driver's prototype to receive {@link SERIALIZED_PAYLOAD}. @internal */
export const READS_SERIALIZED_PAYLOAD = Symbol('nestjs-broadcasting:reads-serialized-payload');

/** The payload object and its `JSON.stringify` (undefined if its own toJSON() returns undefined). */
export interface SerializedPayload {
  payload: Record<string, unknown>;
  json: string | undefined;
}

/** Send options as the manager hands them to a driver that reads the serialized payload. */
export interface InternalSendOptions extends BroadcastSendOptions {
  [SERIALIZED_PAYLOAD]?: SerializedPayload;
}

export function readsSerializedPayload(broadcaster: Broadcaster): boolean {
  return (
    (broadcaster as { [READS_SERIALIZED_PAYLOAD]?: boolean })[READS_SERIALIZED_PAYLOAD] === true
  );
}

/**
 * The manager's JSON of `payload`, when the options carry it for this very object (a subclass
 * that swaps the payload before calling `super.broadcast()` gets its own payload serialized).
 */
export function serializedJson(
  payload: Record<string, unknown>,
  options: InternalSendOptions,
): SerializedPayload | undefined {
  const serialized = options[SERIALIZED_PAYLOAD];
  return serialized !== undefined && serialized.payload === payload ? serialized : undefined;
}
