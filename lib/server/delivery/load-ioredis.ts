import { loadIoredis } from '../../support/load-ioredis.js';

/** The part of ioredis's `Redis` class the Redis delivery uses. */
export interface RedisSubscriberClient {
  connect(): Promise<void>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'reconnecting' | 'ready', listener: () => void): this;
  quit(): Promise<unknown>;
  disconnect(): void;
}

export type RedisSubscriberFactory = (url: string) => RedisSubscriberClient;

/**
 * Loads `ioredis`, an optional peer dependency, only when Redis delivery is switched on;
 * when it is missing the error names the package and the install command.
 */
export async function loadRedisSubscriberFactory(): Promise<RedisSubscriberFactory> {
  const Redis = await loadIoredis("The broadcast server's Redis delivery");
  // lazyConnect so start() can await the first connection and report it failing.
  return (url) =>
    new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null }) as RedisSubscriberClient;
}
