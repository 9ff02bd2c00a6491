/**
 * Every WebSocket close code and `pusher:error` code the server uses, in Pusher's ranges.
 * pusher-js acts on the range: 4000-4099 it does not reconnect, 4100-4199 it reconnects
 * after a back-off, 4200-4299 it reconnects at once; 4300-4399 are errors without a close.
 */
export const CloseCode = {
  /** The key in `/app/{key}` belongs to no app served here. Closed; the client gives up. */
  APP_NOT_FOUND: 4001,
  /** The app exists but is disabled (`enabled: false`). Closed; the client gives up. */
  APP_DISABLED: 4003,
  /** The app already has `maxConnections` connections (counted cluster-wide). Closed. */
  OVER_CONNECTION_QUOTA: 4004,
  /** The `protocol` query parameter is below 5 (pusher-js sends 7). Closed. */
  UNSUPPORTED_PROTOCOL: 4007,
  /**
   * Not authorized: the `Origin` header is not in `allowedOrigins`, a `pusher:signin` had a
   * bad signature, or the app terminated the user's connections. Closed; the client gives up.
   */
  UNAUTHORIZED: 4009,
  /**
   * Slow consumer: more than `maxBufferedBytes` waited in the socket's send buffer, so the
   * server dropped it to keep memory bounded. The client reconnects after a back-off.
   */
  OVER_CAPACITY: 4100,
  /** The server is shutting down (`close()`); the client reconnects at once, elsewhere. */
  SERVER_CLOSING: 4200,
  /** The server's `pusher:ping` got no answer within `pongTimeout`. The client reconnects. */
  PONG_TIMEOUT: 4201,
  /** `pusher:error` only (no close): client events above `clientEventsPerSecond`. */
  CLIENT_EVENT_RATE_LIMIT: 4301,
  /**
   * `pusher:subscription_error` status only (no close, type `LimitReached`): the connection
   * is on `maxChannelsPerConnection` channels already. Same range as the rate limit: over a
   * limit, and the connection stays usable.
   */
  LIMIT_REACHED: 4301,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
