import type {
  RedisCommandClient,
  RedisSubscriberClient,
} from '../../../shared/redis/redis-clients.js';
import type { ServerLogger } from '../../../shared/logger.js';
import type { AdapterHost, AdapterPublish } from '../server-adapter.interface.js';
import { LISTEN_WAIT_MS, settleWithin } from '../settle-within.js';
import { decodeBroadcast, encodeBroadcast } from './cluster-message.js';
import type { RedisLink } from './redis-link.js';
import type { RedisScalingKeys } from './redis-scaling-keys.js';
import { ScalingMessages } from './scaling-messages.js';

/** Most unanswered cluster PUBLISHes; beyond it publishes are dropped and counted. */
const MAX_IN_FLIGHT = 10_000;

/**
 * Carries broadcasts between nodes: one PUBLISH per Pusher channel on `{ns}b:{app}:{channel}`,
 * which a node SUBSCRIBEs only while it has local subscribers on that channel (from
 * `listen` to `unlisten`). A node ignores its own echo, so every socket gets a message once.
 *
 * Nothing else publishes or subscribes a broadcast channel, so a relay over sharded pub/sub
 * (SPUBLISH / SSUBSCRIBE on Redis Cluster) would replace this class alone.
 */
export class ClusterRelay {
  /** Redis channel → the app and Pusher channel this node has local subscribers on. */
  private readonly wanted = new Map<string, { appId: string; channel: string }>();
  /** PUBLISHes sent and not yet answered: a Redis that hangs without closing cannot queue more. */
  private inFlight = 0;
  private droppedCount = 0;
  /** Kinds of SUBSCRIBE trouble already logged (see warnOnce). */
  private readonly warned = new Set<'failed' | 'slow'>();
  private host?: AdapterHost;

  constructor(
    private readonly commands: RedisCommandClient,
    private readonly subscriber: RedisSubscriberClient,
    private readonly link: RedisLink,
    private readonly keys: RedisScalingKeys,
    private readonly nodeId: string,
    private readonly logger: ServerLogger,
  ) {}

  attach(host: AdapterHost): void {
    this.host = host;
  }

  /** Cluster publishes not sent (Redis unreachable or hanging) or refused, for `GET /up`. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** The Redis channels to SUBSCRIBE again after the subscriber reconnects. */
  redisChannels(): string[] {
    return [...this.wanted.keys()];
  }

  /** How many Pusher channels this node relays (has local subscribers on). */
  get channelCount(): number {
    return this.wanted.size;
  }

  /** To the other nodes only (this node's sockets were served, or must not be). */
  send(message: AdapterPublish): Promise<unknown> | undefined {
    if (this.link.state === 'closed') return;
    if (!this.link.commandsOpen || this.inFlight >= MAX_IN_FLIGHT) {
      this.droppedCount += message.channels.length;
      return;
    }
    const body = encodeBroadcast({
      origin: this.nodeId,
      event: message.event,
      data: message.data,
      exceptSocketId: message.exceptSocketId ?? null,
      userId: message.userId ?? null,
    });
    const sent: Promise<unknown>[] = [];
    for (const channel of message.channels) {
      this.inFlight++;
      sent.push(
        this.commands.publish(this.keys.broadcast(message.appId, channel), body).then(
          () => this.inFlight--,
          () => {
            this.inFlight--;
            this.droppedCount++;
          },
        ),
      );
    }
    return sent.length === 1 ? sent[0] : Promise.all(sent);
  }

  /**
   * Resolves once every PUBLISH sent so far went out: replies come in order, so once a PING
   * answers, every earlier command was answered. Rejects when Redis cannot answer.
   */
  drained(): Promise<unknown> {
    return this.commands.call('PING');
  }

  /** A message on a Redis channel: false when it is not a relay channel this node listens on. */
  receive(redisChannel: string, raw: string): boolean {
    const target = this.wanted.get(redisChannel);
    if (!target) return false;
    const message = decodeBroadcast(raw);
    if (!message || message.origin === this.nodeId || !this.host) return true;
    this.host.deliver({
      appId: target.appId,
      channels: [target.channel],
      event: message.event,
      data: message.data,
      exceptSocketId: message.exceptSocketId,
      userId: message.userId ?? undefined,
    });
    return true;
  }

  /**
   * SUBSCRIBEs to the channel's relay; resolves with the reply, so the engine confirms the
   * subscription only when other nodes' publishes reach this one. A failed or unanswered
   * (LISTEN_WAIT_MS) SUBSCRIBE resolves too, logged once: local delivery goes on.
   */
  listen(appId: string, channel: string): Promise<void> | undefined {
    const redisChannel = this.keys.broadcast(appId, channel);
    this.wanted.set(redisChannel, { appId, channel });
    // While disconnected, the reconnect subscribes everything in `wanted`.
    if (!this.link.subscriberOpen) return;
    return settleWithin(this.subscriber.subscribe(redisChannel), LISTEN_WAIT_MS, {
      onError: (error) =>
        this.warnOnce('failed', ScalingMessages.subscribeFailed(redisChannel, error)),
      onLate: () =>
        this.warnOnce('slow', ScalingMessages.subscribeSlow(redisChannel, LISTEN_WAIT_MS)),
    });
  }

  unlisten(appId: string, channel: string): void {
    const redisChannel = this.keys.broadcast(appId, channel);
    if (!this.wanted.delete(redisChannel)) return;
    if (this.link.subscriberOpen) this.subscriber.unsubscribe(redisChannel).catch(() => {});
  }

  clear(): void {
    this.wanted.clear();
  }

  /** One line per kind of SUBSCRIBE trouble, not one per channel. */
  private warnOnce(kind: 'failed' | 'slow', message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.logger.warn(message);
  }
}
