/** Per-call options every driver understands. */
export interface BroadcastSendOptions {
  /** Socket id (`123.456`) that must not receive this broadcast: the sender's own tab. */
  exceptSocketId?: string;
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
  /** Releases what the driver opened (e.g. a Redis client it created); called on app shutdown. */
  close?(): Promise<void>;
}
