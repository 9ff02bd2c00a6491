import { BroadcastMessages } from '../core/broadcast-messages.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import {
  closeRedisClient,
  createRedisClient,
  type RedisPublisher,
} from '../shared/redis/redis-clients.js';
import { describeRedisTarget } from '../shared/redis/redis-target.js';
import type {
  Broadcaster,
  BroadcastSendOptions,
  PreparedBroadcast,
} from './broadcaster.interface.js';
import { preparedJson } from './prepared-json.js';

export interface RedisBroadcasterOptions {
  /** Connection name, for error messages. */
  connection: string;
  /** A client to use and never close. */
  client?: RedisPublisher;
  url: string;
  /** Seed nodes of a Redis Cluster; wins over `url`. */
  cluster?: readonly string[];
  /** SPUBLISH instead of PUBLISH (a Redis Cluster's sharded pub/sub). */
  sharded?: boolean;
  redisOptions?: Record<string, unknown>;
  prefix: string;
}

/**
 * Publishes Laravel's Redis broadcast message, so Laravel Echo Server, Reverb, Soketi and
 * this package's server all understand it: channel = prefix + full channel name, body
 * `{"event","data","socket"}`. All channels of a broadcast go out in one round trip: the
 * client this driver creates auto-pipelines (every command issued in one tick leaves in one
 * write, so concurrent broadcasts share writes too); a given client that does not gets one
 * pipeline per broadcast.
 */
export class RedisBroadcaster implements Broadcaster {
  private client?: Promise<RedisPublisher>;
  /** The client once connected-or-connecting, to skip awaiting `client` on every send. */
  private ready?: RedisPublisher;
  private readonly ownsClient: boolean;

  constructor(private readonly options: RedisBroadcasterOptions) {
    this.ownsClient = !options.client;
    if (options.client) {
      this.client = Promise.resolve(options.client);
      this.ready = options.client;
    }
  }

  /** The manager's JSON of the payload is spliced into the body, not serialized again. */
  broadcastPrepared(message: PreparedBroadcast): Promise<void> {
    return this.broadcast(message.channels, message.event, message.payload, message);
  }

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions | PreparedBroadcast = {},
  ): Promise<void> {
    const body = this.body(event, payload, options);
    const client = this.ready ?? (await this.getClient());
    const { prefix } = this.options;
    if (this.options.sharded) return this.spublish(client, channels, body, event);
    if (client.publish && (channels.length === 1 || client.options?.enableAutoPipelining)) {
      try {
        if (channels.length === 1) await client.publish(prefix + channels[0], body);
        else await Promise.all(channels.map((channel) => client.publish!(prefix + channel, body)));
      } catch (error) {
        throw this.failure(event, error);
      }
      return;
    }
    const pipeline = client.pipeline();
    for (const channel of channels) pipeline.publish(prefix + channel, body);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw this.failure(event, error);
    }
    const failed = results?.find(([error]) => error);
    if (failed) throw this.failure(event, failed[0]);
  }

  /**
   * Sharded pub/sub: one SPUBLISH per channel, each to the shard owning the channel's slot
   * (a pipeline cannot span shards; the cluster client auto-pipelines per node instead).
   */
  private async spublish(
    client: RedisPublisher,
    channels: string[],
    body: string,
    event: string,
  ): Promise<void> {
    if (!client.spublish) throw this.failure(event, new Error(BroadcastMessages.noSpublish()));
    const { prefix } = this.options;
    try {
      await Promise.all(channels.map((channel) => client.spublish!(prefix + channel, body)));
    } catch (error) {
      throw this.failure(event, error);
    }
  }

  /** `{"event","data","socket"}`, splicing in the payload's JSON. */
  private body(
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions | PreparedBroadcast,
  ) {
    const socket = options.exceptSocketId ?? null;
    const json = preparedJson(payload, options) ?? JSON.stringify(payload);
    // A payload whose toJSON() returns undefined has no "data" key, as JSON.stringify has it.
    if (json === undefined) return JSON.stringify({ event, data: payload, socket });
    return `{"event":${JSON.stringify(event)},"data":${json},"socket":${JSON.stringify(socket)}}`;
  }

  /** Quits the client this driver created; a client it was given stays open. */
  async close(): Promise<void> {
    if (!this.ownsClient || !this.client) return;
    const client = await this.client.catch(() => undefined);
    this.client = undefined;
    this.ready = undefined;
    if (!client) return;
    await closeRedisClient(client);
  }

  private getClient(): Promise<RedisPublisher> {
    if (!this.client) {
      // ioredis queues commands until it is connected, so the client is usable at once.
      const { url, cluster } = this.options;
      const pending = createRedisClient<RedisPublisher>(
        { url, cluster },
        'The redis broadcast driver',
        { enableAutoPipelining: true, ...this.options.redisOptions },
      ).then((client) => {
        if (this.client === pending) this.ready = client;
        return client;
      });
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
    const where = this.ownsClient ? describeRedisTarget(this.options) : undefined;
    return new BroadcastDriverError(
      BroadcastMessages.redisPublishFailed(event, this.options.connection, where, error),
      { cause: error },
    );
  }
}
