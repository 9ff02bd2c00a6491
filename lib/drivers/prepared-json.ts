import type { BroadcastSendOptions, PreparedBroadcast } from './broadcaster.interface.js';

/**
 * The manager's JSON of `payload`, for the built-in drivers: their `broadcastPrepared(message)`
 * calls `broadcast(..., message)`, so `options` is then the prepared message. Only reused for
 * that very payload, since a subclass may swap the payload before calling `super.broadcast()`.
 * Undefined when the driver was called directly (it serializes for itself, as it always did).
 */
export function preparedJson(
  payload: Record<string, unknown>,
  options: BroadcastSendOptions | PreparedBroadcast,
): string | undefined {
  return 'json' in options && options.payload === payload ? options.json : undefined;
}
