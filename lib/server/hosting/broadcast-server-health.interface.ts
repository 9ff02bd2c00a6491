/** The state of a Redis connection the server depends on. */
export type RedisConnectionState = 'connected' | 'disconnected';

/**
 * What a health check can read of a running server (`BroadcastServer.health()`, and the
 * `BroadcastHealthIndicator` of `nestjs-broadcasting/health`).
 */
export interface BroadcastServerHealth {
  /**
   * False while a Redis connection the server uses is lost; true without Redis. A node cut
   * off from Redis still serves its own clients, but misses other nodes' broadcasts.
   */
  up: boolean;
  /** Each Redis connection in use; empty without scaling and Redis delivery. */
  redis: {
    /** The link to the other nodes (`scaling: 'redis'`). */
    scaling?: RedisConnectionState;
    /** The subscriber of broadcasts published on Redis (the `redis` option). */
    delivery?: RedisConnectionState;
  };
}
