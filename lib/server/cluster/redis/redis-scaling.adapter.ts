import { randomBytes } from 'node:crypto';
import { BroadcastDriverError } from '../../../errors/broadcast.exception.js';
import { consoleLogger, type ServerLogger } from '../../../shared/logger.js';
import type {
  RedisCommandClient,
  RedisSubscriberClient,
} from '../../../shared/redis/redis-clients.js';
import { describeRedisTarget } from '../../../shared/redis/redis-target.js';
import type {
  AdapterHost,
  AdapterPublish,
  CachedEvent,
  ChannelStats,
  PresenceMember,
  ServerAdapter,
} from '../server-adapter.interface.js';
import { CacheChannelStore } from './cache-channel-store.js';
import { ClusterQuery } from './cluster-query.js';
import { ClusterRelay } from './cluster-relay.js';
import { ClusterRequests } from './cluster-requests.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { NodeRegistry } from './node-registry.js';
import { OccupancyStore } from './occupancy-store.js';
import { PresenceStore } from './presence-store.js';
import { RedisLink } from './redis-link.js';
import { RedisScalingKeys } from './redis-scaling-keys.js';
import type { RedisScalingOptions, ScalingHealth } from './redis-scaling-options.interface.js';
import {
  createScalingClients,
  subscribeInBatches,
  type ScalingClients,
} from './scaling-clients.js';
import { reasonOf, ScalingMessages } from './scaling-messages.js';
import { ShardMonitor } from './shard-monitor.js';

/**
 * Joins this node to the others over Redis (`scaling: 'redis'`). A composition, one part per
 * role, each in its own file:
 *
 * - {@link RedisLink}: the two connections' state (connecting, up, resyncing, degraded,
 *   closed), logged once per change.
 * - {@link ClusterRelay}: publishes to the other nodes, and receives theirs on the channels
 *   this node has local subscribers on. This node's sockets get a message straight away;
 *   `thisNodeOnly` messages (Laravel's Redis broadcasts, which every node already receives
 *   from Redis) are not relayed.
 * - {@link PresenceStore}: rosters in Redis, changed by Lua scripts (presence-scripts.ts),
 *   with this node's memberships mirrored in memory for outages.
 * - {@link CacheChannelStore}: cache channels' last events.
 * - {@link ClusterRequests}: counts, connection quota and terminate, asked of every node.
 * - {@link NodeRegistry}: this node's heartbeat key in every bucket of the presence and
 *   occupancy state (see RedisScalingKeys), the sweep of dead nodes, deregistration.
 * - {@link NodeHeartbeat}: the beat over the registry, the write-back of this node's state
 *   after an outage, and deregistration on close.
 *
 * While Redis is unreachable local delivery goes on, cluster publishes are dropped and
 * counted, queries answer locally and `health()` says degraded; on reconnect the node
 * subscribes again and writes its presence memberships back.
 */
export class RedisScalingAdapter implements ServerAdapter {
  readonly nodeId: string;
  private host?: AdapterHost;
  private readonly keys: RedisScalingKeys;
  private readonly logger: ServerLogger;
  private readonly link: RedisLink;
  private readonly relay: ClusterRelay;
  private readonly presence: PresenceStore;
  private readonly occupancy: OccupancyStore;
  private readonly cache: CacheChannelStore;
  private readonly requests: ClusterRequests;
  private readonly heartbeat: NodeHeartbeat;
  private readonly subscriber: RedisSubscriberClient;
  private readonly commands: RedisCommandClient;
  /** On a Redis Cluster: each shard's state, checked every heartbeat. */
  private readonly shards?: ShardMonitor;
  private readonly namespace: string;

  private constructor(options: RedisScalingOptions, nodeId: string, clients: ScalingClients) {
    const { commands, subscriber, topology } = clients;
    this.nodeId = nodeId;
    this.subscriber = subscriber;
    this.commands = commands;
    this.namespace = options.namespace;
    this.keys = new RedisScalingKeys(options.namespace, Boolean(options.cluster?.length));
    this.logger = options.logger ?? consoleLogger;
    if (topology) this.shards = new ShardMonitor(topology, this.logger);
    this.link = new RedisLink(commands, subscriber, describeRedisTarget(options), this.logger, {
      subscriberReopened: () => void this.subscribeAll().catch(() => {}),
      recovery: () => ({ channels: this.relay.channelCount, dropped: this.relay.dropped }),
    });
    this.relay = new ClusterRelay(commands, subscriber, this.link, this.keys, nodeId, this.logger);
    const ttl = options.nodeTtlMs ?? 5_000;
    this.presence = new PresenceStore(commands, this.keys, nodeId, ttl);
    this.occupancy = new OccupancyStore(commands, this.keys, nodeId);
    this.cache = new CacheChannelStore(commands, this.link, this.keys);
    const query = new ClusterQuery(commands, this.keys, nodeId, options.queryTimeoutMs ?? 1_000);
    this.requests = new ClusterRequests(query, this.link, this.presence);
    this.heartbeat = new NodeHeartbeat({
      intervalMs: options.heartbeatMs ?? 1_000,
      link: this.link,
      registry: new NodeRegistry(commands, this.keys, nodeId, ttl),
      presence: this.presence,
      occupancy: this.occupancy,
      notify: (appId, event) => this.host?.notify(appId, event),
      relay: this.relay,
      publish: (message) => this.publish(message),
      logger: this.logger,
      shards: this.shards,
    });
    // Relay first: nearly every message is a broadcast.
    subscriber.on('message', (channel, raw) => {
      if (!this.relay.receive(channel, raw)) this.requests.receive(channel, raw);
    });
  }

  /**
   * Connects both Redis connections and registers the node. Rejects with a
   * {@link BroadcastDriverError} (password masked) when Redis is unreachable at boot.
   */
  static async start(options: RedisScalingOptions): Promise<RedisScalingAdapter> {
    const nodeId = randomBytes(6).toString('hex');
    const target = { url: options.url, cluster: options.cluster };
    const clients = await (options.createClients ?? createScalingClients)(target, nodeId);
    const adapter = new RedisScalingAdapter(options, nodeId, clients);
    await adapter.boot();
    return adapter;
  }

  /**
   * The command connection and namespace, for stores that keep cluster state (webhooks). On a
   * Redis Cluster the namespace is one hash tag: a store's keys share one slot, outside the
   * presence buckets.
   */
  get redis(): { commands: RedisCommandClient; namespace: string } {
    return { commands: this.commands, namespace: this.keys.namespace };
  }

  /** The link to Redis serves the cluster (for metrics and health indicators). */
  get redisUp(): boolean {
    return this.link.healthy;
  }

  /** For `GET /up`: degraded while the link is down or, on a Redis Cluster, a shard is. */
  health(): ScalingHealth {
    const up = this.link.healthy;
    const shardsUp = this.shards?.allUp ?? true;
    return {
      status: up && shardsUp ? 'ok' : 'degraded',
      scaling: {
        redis: up ? 'connected' : 'disconnected',
        node: this.nodeId,
        droppedPublishes: this.relay.dropped,
        ...(this.shards && { shards: this.shards.shards }),
      },
    };
  }

  attach(host: AdapterHost): void {
    this.host = host;
    this.relay.attach(host);
    this.requests.attach(host);
  }

  publish(message: AdapterPublish): void {
    if (message.cache) this.cache.remember(message);
    this.host?.deliver(message);
    if (!message.thisNodeOnly) this.relay.send(message);
  }

  // Occupancy is settled in Redis beside the SUBSCRIBE, never waited for: the subscription
  // needs only the node to listen. Both scripts of one channel leave on the one command
  // connection in call order, so a quick occupy-vacate is seen in that order.
  channelOccupied(appId: string, channel: string): Promise<void> | undefined {
    if (this.link.state !== 'closed')
      this.occupancy.occupy(appId, channel).then(
        (first) => first && this.host?.notify(appId, { name: 'channel_occupied', channel }),
        () => {}, // Redis unreachable: the write-back after the outage reports the net change.
      );
    return this.relay.listen(appId, channel);
  }

  channelVacated(appId: string, channel: string): void {
    this.relay.unlisten(appId, channel);
    if (this.link.state !== 'closed')
      this.occupancy.vacate(appId, channel).then(
        (last) => last && this.host?.notify(appId, { name: 'channel_vacated', channel }),
        () => {}, // As above.
      );
  }

  // The engine asks for rosters and cached events only once channelOccupied settled, so
  // neither waits for this node's SUBSCRIBE here.

  async joinPresence(appId: string, channel: string, socketId: string, member: PresenceMember) {
    const firstForUser = await this.presence.join(appId, channel, socketId, member);
    if (firstForUser)
      this.host?.notify(appId, { name: 'member_added', channel, user_id: member.id });
    return { firstForUser };
  }

  async leavePresence(appId: string, channel: string, socketId: string, userId: string) {
    // After close() the node's memberships are gone already; its member_removed were sent.
    if (this.link.state === 'closed') return { lastForUser: false };
    const lastForUser = await this.presence.leave(appId, channel, socketId, userId);
    if (lastForUser) this.host?.notify(appId, { name: 'member_removed', channel, user_id: userId });
    return { lastForUser };
  }

  presenceMembers(appId: string, channel: string): Promise<Map<string, unknown>> {
    return this.presence.members(appId, channel);
  }

  cachedEvent(appId: string, channel: string): Promise<CachedEvent | undefined> {
    return this.cache.last(appId, channel);
  }

  channels(appId: string, prefix?: string): Promise<Map<string, ChannelStats>> {
    return this.requests.channels(appId, prefix);
  }

  channel(appId: string, name: string): Promise<ChannelStats> {
    return this.requests.channel(appId, name);
  }

  connectionCount(appId: string): Promise<number> {
    return this.requests.connectionCount(appId);
  }

  terminateUserConnections(appId: string, userId: string): Promise<void> {
    return this.requests.terminateUserConnections(appId, userId);
  }

  /** Deregisters (other nodes hear member_removed for this node's users) and disconnects. */
  async close(): Promise<void> {
    if (this.link.state === 'closed') return;
    const registered = this.link.commandsOpen;
    await this.heartbeat.leave();
    if (registered) this.logger.log(ScalingMessages.left(this.nodeId, this.namespace));
    const disconnected = this.link.close(); // closed from here on: nothing more is sent
    this.requests.flush();
    this.relay.clear();
    this.occupancy.clear();
    this.cache.clear();
    await disconnected;
  }

  private async boot(): Promise<void> {
    try {
      await this.link.open();
      await this.subscribeAll();
      await this.heartbeat.now();
      if (!this.heartbeat.registered)
        throw new Error(this.link.lastError || ScalingMessages.firstHeartbeatFailed());
    } catch (cause) {
      this.link.abort();
      throw new BroadcastDriverError(
        ScalingMessages.bootFailed(this.link.where, this.link.lastError || reasonOf(cause)),
        { cause },
      );
    }
    this.link.booted();
    this.heartbeat.start();
    this.logger.log(ScalingMessages.joined(this.nodeId, this.namespace, this.link.where));
  }

  /** Every channel this node listens on, in one go: at boot, and when the subscriber reopens. */
  private subscribeAll(): Promise<unknown> {
    return subscribeInBatches(this.subscriber, [
      ...this.requests.redisChannels,
      ...this.relay.redisChannels(),
    ]);
  }
}
