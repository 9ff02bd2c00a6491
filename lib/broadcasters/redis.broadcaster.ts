import { BroadcastMessages } from '../broadcast-messages.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import { loadOptionalPackage } from '../support/optional-package.js';
import type { Broadcaster, BroadcastSendOptions } from './broadcaster.interface.js';

/** The part of an ioredis client the driver uses, so a given client needs no particular version. */
export interface RedisPublisher {
  pipeline(): {
    publish(channel: string, message: string): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
  quit(): Promise<unknown>;
  disconnect(): void;
}

export interface RedisBroadcasterOptions {
  /** Connection name, for error messages. */
  connection: string;
  /** A client to use and never close. */
  client?: RedisPublisher;
  url: string;
  redisOptions?: Record<string, unknown>;
  prefix: string;
}

/** The URL without its password, for messages. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Publishes Laravel's Redis broadcast message, so Laravel Echo Server, Reverb, Soketi and
 * this package's server all understand it: channel = prefix + full channel name, body
 * `{"event","data","socket"}`. All channels go out in one pipeline (one round trip).
 */
export class RedisBroadcaster implements Broadcaster {
  private client?: Promise<RedisPublisher>;
  private readonly ownsClient: boolean;

  constructor(private readonly options: RedisBroadcasterOptions) {
    this.ownsClient = !options.client;
    if (options.client) this.client = Promise.resolve(options.client);
  }

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions = {},
  ): Promise<void> {
    const body = JSON.stringify({ event, data: payload, socket: options.exceptSocketId ?? null });
    const client = await this.getClient();
    const pipeline = client.pipeline();
    for (const channel of channels) pipeline.publish(this.options.prefix + channel, body);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw this.failure(event, error);
    }
    const failed = results?.find(([error]) => error);
    if (failed) throw this.failure(event, failed[0]);
  }

  /** Quits the client this driver created; a client it was given stays open. */
  async close(): Promise<void> {
    if (!this.ownsClient || !this.client) return;
    const client = await this.client.catch(() => undefined);
    this.client = undefined;
    if (!client) return;
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  }

  private getClient(): Promise<RedisPublisher> {
    if (!this.client) {
      const pending = loadOptionalPackage<{
        Redis: new (url: string, options: object) => RedisPublisher;
      }>('ioredis', 'The redis broadcast driver').then(
        ({ Redis }) => new Redis(this.options.url, { ...this.options.redisOptions }),
      );
      // A failed load (package missing) is retried on the next broadcast, not cached.
      pending.catch(() => {
        if (this.client === pending) this.client = undefined;
      });
      this.client = pending;
    }
    return this.client;
  }

  private failure(event: string, error: unknown): BroadcastDriverError {
    // A given client's address is the app's business; a created one's is shown without password.
    const where = this.ownsClient ? safeUrl(this.options.url) : undefined;
    return new BroadcastDriverError(
      BroadcastMessages.redisPublishFailed(event, this.options.connection, where, error),
      { cause: error },
    );
  }
}
