/** Per-call options every driver understands. */
export interface BroadcastSendOptions {
  /** Socket id (`123.456`) that must not receive this broadcast: the sender's own tab. */
  exceptSocketId?: string;
}

/**
 * One broadcast as the manager hands it to {@link Broadcaster.broadcastPrepared}: channel
 * names, event name and socket id validated, and the payload serialized once, so every
 * driver that sends JSON shares the same string instead of serializing again.
 */
export interface PreparedBroadcast extends BroadcastSendOptions {
  /** Full channel names (`private-orders.1`), without duplicates. */
  readonly channels: string[];
  readonly event: string;
  readonly payload: Record<string, unknown>;
  /** `JSON.stringify(payload)`; undefined only when the payload's own `toJSON()` returns undefined. */
  readonly json: string | undefined;
}

/**
 * A driver: publishes one event on one or more channels. Implement this to add your own
 * driver and register it with `BroadcastManager.extend(name, factory)`.
 */
export interface Broadcaster {
  broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options?: BroadcastSendOptions,
  ): Promise<void>;
  /**
   * Optional fast path. When a driver has it, the manager calls it instead of `broadcast()`
   * with the prepared message, whose `json` the driver may send as is. It must do what
   * `broadcast(message.channels, message.event, message.payload, message)` does, and may
   * return nothing when the broadcast is complete on return (nothing to wait for), which
   * saves an auto-broadcast a promise turn.
   */
  broadcastPrepared?(message: PreparedBroadcast): Promise<void> | void;
  /** Releases what the driver opened (e.g. a Redis client it created); called on app shutdown. */
  close?(): Promise<void>;
}
