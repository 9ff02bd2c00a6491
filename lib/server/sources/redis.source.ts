import { BroadcastDriverError } from '../../errors/broadcast.exception.js';
import { LISTEN_WAIT_MS, settleWithin } from '../cluster/settle-within.js';
import type { ChannelInterest } from '../cluster/channel-interest.adapter.js';
import type { PublishTarget } from '../engine/engine-surface.js';
import { consoleLogger, type ServerLogger } from '../../shared/logger.js';
import { describeRedisTarget } from '../../shared/redis/redis-target.js';
import {
  shardedSubscriber,
  type ShardedSubscriberCluster,
} from '../../shared/redis/sharded-subscriber.js';
import { parseLaravelRedisMessage, type RedisMessageProblem } from './laravel-redis-message.js';
import { SourceMessages } from './source-messages.js';
import {
  closeRedisClient,
  createRedisClient,
  SHARDED_SLOTS_REFRESH_MS,
  type RedisSubscriberClient,
} from '../../shared/redis/redis-clients.js';

/** An app and the prefix its Redis broadcasts are published under. */
export interface RedisSourceApp {
  id: string;
  /** As its redis driver publishes (its BROADCASTING_REDIS_PREFIX). */
  prefix: string;
}

export interface RedisSourceOptions {
  /** Redis to subscribe to (BROADCASTING_REDIS_URL). */
  url: string;
  /** Seed nodes of a Redis Cluster to subscribe on instead (BROADCASTING_REDIS_CLUSTER). */
  cluster?: string[];
  /**
   * On a cluster, SSUBSCRIBE (hears the redis driver's SPUBLISH with `sharded: true`) instead
   * of SUBSCRIBE (hears Laravel's classic PUBLISH). (BROADCASTING_REDIS_SHARDED)
   */
  sharded?: boolean;
  /**
   * The apps that listen on Redis. Laravel's message carries no app id, so the prefix of the
   * Redis channel says which app a broadcast is for.
   */
  apps: RedisSourceApp[];
  /** Which channels have local subscribers: one SUBSCRIBE per such channel, while it has them. */
  interest: ChannelInterest;
  /** Where dropped messages and outages are reported. @default consoleLogger */
  logger?: ServerLogger;
}

/**
 * Consumes what the `redis` driver (or a Laravel app) publishes, on one dedicated subscriber
 * connection, and hands each message to the engine once, with its `socket` excluded.
 * Malformed messages are dropped and each kind of problem is logged once, never thrown.
 */
export class RedisSource {
  private readonly reported = new Set<string>();
  private readonly prefixes: Map<string, string>;
  /**
   * Redis channels SUBSCRIBEd to, each with the apps' channels it feeds. Usually one; two
   * when prefixes overlap (`''` + `shoporders`, `shop` + `orders`), which is the naming's
   * own ambiguity: both apps asked for that Redis channel.
   */
  private readonly subscribed = new Map<string, Map<string, string>>();
  /** SUBSCRIBEs under way, so a second app on the same Redis channel waits for the same reply. */
  private readonly pending = new Map<string, Promise<void>>();
  private stopInterest?: () => void;
  private closed = false;

  private constructor(
    private readonly target: PublishTarget,
    private readonly client: RedisSubscriberClient,
    private readonly options: RedisSourceOptions,
    private readonly logger: ServerLogger,
  ) {
    this.prefixes = new Map(options.apps.map((app) => [app.id, app.prefix]));
  }

  /** Connects and subscribes; rejects (with the URL's password masked) if Redis is unreachable. */
  static async start(target: PublishTarget, options: RedisSourceOptions): Promise<RedisSource> {
    // lazyConnect so start() can await the first connection and report it failing.
    const sharded = Boolean(options.sharded && options.cluster?.length);
    const created = await createRedisClient<RedisSubscriberClient & ShardedSubscriberCluster>(
      { url: options.url, cluster: options.cluster },
      SourceMessages.redisNeededBy(),
      {
        lazyConnect: true,
        maxRetriesPerRequest: null,
        ...(sharded && {
          shardedSubscribers: true,
          slotsRefreshInterval: SHARDED_SLOTS_REFRESH_MS,
        }),
      },
    );
    const client = sharded ? shardedSubscriber(created) : created;
    const logger = options.logger ?? consoleLogger;
    const delivery = new RedisSource(target, client, options, logger);
    await delivery.connect();
    return delivery;
  }

  /** The subscriber connection is open (for metrics and health indicators). */
  get connected(): boolean {
    return !this.closed && this.client.status === 'ready';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopInterest?.();
    await closeRedisClient(this.client);
  }

  private async connect(): Promise<void> {
    const { client, options } = this;
    const where = describeRedisTarget(options);
    client.on('error', (error) =>
      this.reportOnce(
        `connection:${(error as { code?: string }).code ?? error.message}`,
        SourceMessages.redisConnectionError(where, error),
      ),
    );
    // One line per outage, not per retry; ioredis subscribes again by itself on reconnect.
    let outage = false;
    client.on('reconnecting', () => {
      if (outage || this.closed) return;
      outage = true;
      this.logger.warn(SourceMessages.redisConnectionLost(where));
    });
    client.on('ready', () => {
      if (!outage) return;
      outage = false;
      this.logger.warn(SourceMessages.redisReconnected(where));
    });
    client.on('message', (channel, message) => this.onMessage(channel, message));
    try {
      await client.connect();
    } catch (cause) {
      client.disconnect();
      throw new BroadcastDriverError(SourceMessages.redisUnreachable(where, cause), { cause });
    }

    // Started before the engine takes sockets, so no channel is occupied yet.
    this.stopInterest = options.interest.onChange((appId, channel, occupied) => {
      const prefix = this.prefixes.get(appId);
      if (prefix !== undefined) return this.follow(appId, prefix + channel, channel, occupied);
    });
  }

  /**
   * SUBSCRIBEs while the channel has local subscribers. On arrival, resolves with the
   * SUBSCRIBE reply (the engine confirms the subscription then), or after LISTEN_WAIT_MS or
   * a failure, logged once: the subscribers still get every message but Redis's meanwhile.
   */
  private follow(
    appId: string,
    redisChannel: string,
    channel: string,
    occupied: boolean,
  ): Promise<void> | undefined {
    if (this.closed) return;
    const targets = this.subscribed.get(redisChannel);
    if (!occupied) {
      if (!targets?.delete(appId) || targets.size > 0) return;
      this.subscribed.delete(redisChannel);
    } else if (targets) {
      targets.set(appId, channel);
      return this.pending.get(redisChannel); // already SUBSCRIBEd for another app
    }
    const failed = (error: unknown) => {
      if (!this.closed)
        this.reportOnce(
          `command:${occupied}`,
          SourceMessages.redisCommandFailed(occupied, redisChannel, error),
        );
    };
    if (!occupied) {
      this.client.unsubscribe(redisChannel).catch(failed);
      return;
    }
    this.subscribed.set(redisChannel, new Map([[appId, channel]]));
    const listening: Promise<void> = settleWithin(
      this.client.subscribe(redisChannel),
      LISTEN_WAIT_MS,
      {
        onError: failed,
        onLate: () =>
          this.reportOnce(
            'command:slow',
            SourceMessages.redisSubscribeSlow(redisChannel, LISTEN_WAIT_MS),
          ),
      },
    ).finally(() => {
      if (this.pending.get(redisChannel) === listening) this.pending.delete(redisChannel);
    });
    this.pending.set(redisChannel, listening);
    return listening;
  }

  private onMessage(redisChannel: string, body: string): void {
    const targets = this.subscribed.get(redisChannel);
    if (!targets) return;
    for (const [appId, channel] of targets) {
      const message = parseLaravelRedisMessage(channel, body);
      if (typeof message === 'string') return this.drop(message, redisChannel);
      try {
        this.target.publish(appId, [channel], message.event, message.data, message.socket);
      } catch (error) {
        this.reportOnce('publish', SourceMessages.redisFanOutFailed(redisChannel, error));
      }
    }
  }

  private drop(problem: RedisMessageProblem, redisChannel: string): void {
    this.reportOnce(
      `message:${problem}`,
      SourceMessages.redisMessageDropped(redisChannel, problem),
    );
  }

  private reportOnce(kind: string, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.logger.warn(message);
  }
}
