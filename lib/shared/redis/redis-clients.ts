import { loadIoredis } from './load-ioredis.js';

/**
 * The parts of an ioredis client this package uses, named by role. They are structural, so
 * any ioredis 5+ client (or a given one the app built) fits, and tests can pass their own.
 */
export interface RedisConnection {
  status: string;
  connect(): Promise<void>;
  on(event: 'ready' | 'close' | 'end' | 'reconnecting', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** A connection that sends commands: PUBLISH and, for scripts and queries, CALL. */
export interface RedisCommandClient extends RedisConnection {
  publish(channel: string, message: string): Promise<number>;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** A connection in subscriber mode: it can send nothing but (UN)SUBSCRIBE. */
export interface RedisSubscriberClient extends RedisConnection {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close' | 'end' | 'reconnecting', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * What the redis driver needs of a client an app hands it (`connections.x.client`): less
 * than a full command client, so a client of any ioredis version, or a wrapper, fits.
 */
export interface RedisPublisher {
  /** One PUBLISH; used for a single channel, and for several when the client auto-pipelines. */
  publish?(channel: string, message: string): Promise<unknown>;
  /** Several channels on a client that does not auto-pipeline go out in one pipeline. */
  pipeline(): {
    publish(channel: string, message: string): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
  /** ioredis' options; `enableAutoPipelining` sends the commands of one tick in one write. */
  options?: { enableAutoPipelining?: boolean };
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * Opens an ioredis connection, loading the optional `ioredis` package on first use.
 * `neededBy` names the feature in the "install ioredis" error; `options` are ioredis's own,
 * chosen by each caller for its role (the driver queues while offline, the scaling adapter
 * fails fast, delivery subscribes again by itself).
 */
export async function createRedisClient<T>(
  url: string,
  neededBy: string,
  options: Record<string, unknown>,
): Promise<T> {
  const Redis = await loadIoredis(neededBy);
  return new Redis(url, options) as T;
}

/** Quits politely, and drops the socket when Redis cannot answer. */
export async function closeRedisClient(client: Pick<RedisConnection, 'quit' | 'disconnect'>) {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
