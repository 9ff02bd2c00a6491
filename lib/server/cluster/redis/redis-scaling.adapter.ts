import {
  closeRedisClient,
  type RedisCommandClient,
  type RedisSubscriberClient,
} from '../../../shared/redis/redis-clients.js';
import { randomBytes } from 'node:crypto';
import { isCacheChannel } from '../../../shared/pusher-protocol/channel-names.js';
import { BroadcastDriverError } from '../../../errors/broadcast.exception.js';
import { maskRedisUrl } from '../../../shared/redis/redis-url.js';
import { consoleLogger, type ServerLogger } from '../../../shared/logger.js';
import { CACHE_TTL_MS } from '../single-node.adapter.js';
import type {
  AdapterHost,
  AdapterPublish,
  CachedEvent,
  ChannelStats,
  PresenceMember,
  ServerAdapter,
} from '../server-adapter.interface.js';
import { LISTEN_WAIT_MS, settleWithin } from '../settle-within.js';
import { decodeBroadcast, encodeBroadcast } from './cluster-message.js';
import { ClusterQuery, type ClusterRequest } from './cluster-query.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { PresenceStore, type RosterChange } from './presence-store.js';
import { createScalingClients } from './scaling-clients.js';
import { RedisScalingKeys } from './redis-scaling-keys.js';
import type { RedisScalingOptions, ScalingHealth } from './redis-scaling-options.interface.js';
import { isPresenceChannel } from '../../../shared/pusher-protocol/channel-prefixes.js';
import { reasonOf, ScalingMessages } from './scaling-messages.js';

/**
 * Joins this node to the others over Redis (`scaling: 'redis'`).
 *
 * - Publish: this node's sockets get the message straight away; then one PUBLISH per channel
 *   on `{ns}b:{app}:{channel}`, which only nodes with subscribers on that channel SUBSCRIBE
 *   (from channelOccupied to channelVacated). A node ignores its own echo, so every socket
 *   gets a message once. `thisNodeOnly` messages (Laravel's Redis broadcasts, which every node
 *   already receives from Redis) skip the relay.
 * - Presence: rosters in Redis, changed by Lua scripts (see presence-scripts.ts), with this
 *   node's memberships mirrored in memory for outages.
 * - Counts, connection quota, terminate: asked of every node over pub/sub (cluster-query.ts).
 * - Heartbeat key with a TTL; survivors sweep a dead node's members (node-heartbeat.ts).
 * - Redis outage: local delivery goes on, cluster publishes are dropped and counted, queries
 *   answer locally, `health()` says degraded; on reconnect it subscribes again and writes its
 *   presence memberships back. Logged once per state change.
 */
export class RedisScalingAdapter implements ServerAdapter {
  readonly nodeId: string;
  private host?: AdapterHost;
  private readonly keys: RedisScalingKeys;
  private readonly presence: PresenceStore;
  private readonly query: ClusterQuery;
  private readonly heartbeat: NodeHeartbeat;
  private readonly logger: ServerLogger;
  private readonly where: string;
  /** Redis channel → the app and Pusher channel this node has local subscribers on. */
  private readonly wanted = new Map<string, { appId: string; channel: string }>();
  /** Redis channel → its SUBSCRIBE while under way. */
  private readonly subscribing = new Map<string, Promise<unknown>>();
  /** Cache-channel events, for while Redis cannot answer. */
  private readonly localCache = new Map<string, CachedEvent & { at: number }>();
  private commandsUp = false;
  private subscriberUp = false;
  private started = false;
  private degraded = false;
  private registered = false;
  private needsResync = false;
  private closed = false;
  private dropped = 0;
  /** PUBLISHes sent and not yet answered: a Redis that hangs without closing cannot queue more. */
  private inFlight = 0;
  /** `dropped` when the state last changed, to log what one outage dropped. */
  private droppedBefore = 0;
  private lastError = '';
  /** The last heartbeat failed although connected: Redis hangs (or drops our commands). */
  private beatFailing = false;
  /** Kinds of SUBSCRIBE trouble already logged (see warnOnce). */
  private readonly subscribeWarned = new Set<string>();

  private constructor(
    options: RedisScalingOptions,
    nodeId: string,
    private readonly commands: RedisCommandClient,
    private readonly subscriber: RedisSubscriberClient,
  ) {
    this.nodeId = nodeId;
    this.keys = new RedisScalingKeys(options.namespace);
    this.logger = options.logger ?? consoleLogger;
    this.where = maskRedisUrl(options.url);
    const ttl = options.nodeTtlMs ?? 5_000;
    this.presence = new PresenceStore(commands, this.keys, nodeId, ttl);
    this.query = new ClusterQuery(commands, this.keys, nodeId, options.queryTimeoutMs ?? 1_000);
    this.heartbeat = new NodeHeartbeat(options.heartbeatMs ?? 1_000, () => this.beat());
  }

  /**
   * Connects both Redis connections and registers the node. Rejects with a
   * {@link BroadcastDriverError} (password masked) when Redis is unreachable at boot.
   */
  static async start(options: RedisScalingOptions): Promise<RedisScalingAdapter> {
    const nodeId = randomBytes(6).toString('hex');
    const clients = await (options.createClients ?? createScalingClients)(options.url, nodeId);
    const adapter = new RedisScalingAdapter(options, nodeId, clients.commands, clients.subscriber);
    await adapter.connect();
    return adapter;
  }

  /** For `GET /up`. */
  health(): ScalingHealth {
    const up = this.isUp();
    return {
      status: up ? 'ok' : 'degraded',
      scaling: {
        redis: up ? 'connected' : 'disconnected',
        node: this.nodeId,
        droppedPublishes: this.dropped,
      },
    };
  }

  attach(host: AdapterHost): void {
    this.host = host;
  }

  // ---- delivery ----------------------------------------------------------------------

  publish(message: AdapterPublish): void {
    if (message.cache) this.remember(message);
    this.host?.deliver(message);
    if (!message.thisNodeOnly) this.relay(message);
  }

  /** To the other nodes only (this node's sockets were served, or must not be). */
  private relay(message: AdapterPublish): Promise<unknown> | undefined {
    if (this.closed) return;
    if (!this.commandsUp || this.inFlight >= MAX_IN_FLIGHT) {
      this.dropped += message.channels.length;
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
            this.dropped++;
          },
        ),
      );
    }
    return sent.length === 1 ? sent[0] : Promise.all(sent);
  }

  private onMessage(redisChannel: string, raw: string): void {
    if (redisChannel === this.keys.requests)
      return this.query.onRequest(raw, (request) => this.answer(request));
    if (redisChannel === this.keys.replies(this.nodeId)) return this.query.onReply(raw);
    const target = this.wanted.get(redisChannel);
    if (!target || !this.host) return;
    const message = decodeBroadcast(raw);
    if (!message || message.origin === this.nodeId) return;
    this.host.deliver({
      appId: target.appId,
      channels: [target.channel],
      event: message.event,
      data: message.data,
      exceptSocketId: message.exceptSocketId,
      userId: message.userId ?? undefined,
    });
  }

  /**
   * SUBSCRIBEs to the channel's relay; resolves with the reply, so the engine confirms the
   * subscription only when other nodes' publishes reach this one. A failed or unanswered
   * (LISTEN_WAIT_MS) SUBSCRIBE resolves too, logged once: local delivery goes on.
   */
  channelOccupied(appId: string, channel: string): Promise<void> | undefined {
    const redisChannel = this.keys.broadcast(appId, channel);
    this.wanted.set(redisChannel, { appId, channel });
    // While disconnected, the reconnect subscribes everything in `wanted`.
    if (!this.subscriberUp) return;
    const pending: Promise<void> = settleWithin(
      this.subscriber.subscribe(redisChannel),
      LISTEN_WAIT_MS,
      {
        onError: (error) =>
          this.warnOnce('failed', ScalingMessages.subscribeFailed(redisChannel, error)),
        onLate: () =>
          this.warnOnce('slow', ScalingMessages.subscribeSlow(redisChannel, LISTEN_WAIT_MS)),
      },
    ).finally(() => {
      if (this.subscribing.get(redisChannel) === pending) this.subscribing.delete(redisChannel);
    });
    this.subscribing.set(redisChannel, pending);
    return pending;
  }

  /** One line per kind of SUBSCRIBE trouble, not one per channel. */
  private warnOnce(kind: 'failed' | 'slow', message: string): void {
    if (this.subscribeWarned.has(kind)) return;
    this.subscribeWarned.add(kind);
    this.logger.warn(message);
  }

  /**
   * Waits for this node's SUBSCRIBE to the channel, if one is under way. The engine asks for
   * the roster (presence) or the cached event (cache channels) after taking the subscriber,
   * so on those channels the client's confirmation waits for the relay to be in place.
   */
  private subscribed(appId: string, channel: string): Promise<unknown> | undefined {
    return this.subscribing.get(this.keys.broadcast(appId, channel));
  }

  channelVacated(appId: string, channel: string): void {
    const redisChannel = this.keys.broadcast(appId, channel);
    if (!this.wanted.delete(redisChannel)) return;
    if (this.subscriberUp) this.subscriber.unsubscribe(redisChannel).catch(() => {});
  }

  // ---- presence ----------------------------------------------------------------------

  async joinPresence(appId: string, channel: string, socketId: string, member: PresenceMember) {
    return { firstForUser: await this.presence.join(appId, channel, socketId, member) };
  }

  async leavePresence(appId: string, channel: string, socketId: string, userId: string) {
    // After close() the node's memberships are gone already; its member_removed were sent.
    if (this.closed) return { lastForUser: false };
    return { lastForUser: await this.presence.leave(appId, channel, socketId, userId) };
  }

  async presenceMembers(appId: string, channel: string): Promise<Map<string, unknown>> {
    await this.subscribed(appId, channel);
    return this.presence.members(appId, channel);
  }

  // ---- cache channels ----------------------------------------------------------------

  private remember(message: AdapterPublish): void {
    const at = Date.now();
    for (const channel of message.channels) {
      if (!isCacheChannel(channel)) continue;
      const key = this.keys.cache(message.appId, channel);
      this.localCache.set(key, { event: message.event, data: message.data, at });
      if (this.commandsUp)
        this.commands
          .call(
            'SET',
            key,
            encodeBroadcast({ ...EMPTY, event: message.event, data: message.data }),
            'PX',
            CACHE_TTL_MS,
          )
          .catch(() => {});
    }
  }

  async cachedEvent(appId: string, channel: string): Promise<CachedEvent | undefined> {
    await this.subscribed(appId, channel);
    const key = this.keys.cache(appId, channel);
    try {
      const raw = (await this.commands.call('GET', key)) as string | null;
      const decoded = raw === null ? undefined : decodeBroadcast(raw);
      if (decoded) return { event: decoded.event, data: decoded.data };
    } catch {
      // Redis unreachable: this node's own copy below.
    }
    const local = this.localCache.get(key);
    if (!local || Date.now() - local.at > CACHE_TTL_MS) return undefined;
    return { event: local.event, data: local.data };
  }

  // ---- cluster-wide counts and commands ----------------------------------------------

  async channels(appId: string, prefix?: string): Promise<Map<string, ChannelStats>> {
    const counts = new Map(this.host?.localChannels(appId, prefix) ?? []);
    for (const answer of await this.ask({ type: 'channels', appId, prefix }))
      if (Array.isArray(answer))
        for (const [name, count] of answer as Array<[string, number]>)
          counts.set(name, (counts.get(name) ?? 0) + count);
    const presence = [...counts.keys()].filter(isPresenceChannel);
    const users = presence.length > 0 ? await this.presence.userCounts(appId, presence) : [];
    const result = new Map<string, ChannelStats>();
    for (const [name, subscriptionCount] of counts) {
      const stats: ChannelStats = { occupied: subscriptionCount > 0, subscriptionCount };
      const i = presence.indexOf(name);
      if (i >= 0) stats.userCount = users[i];
      result.set(name, stats);
    }
    return result;
  }

  async channel(appId: string, name: string): Promise<ChannelStats> {
    const found = (await this.channels(appId, name)).get(name);
    if (found) return found;
    const stats: ChannelStats = { occupied: false, subscriptionCount: 0 };
    if (isPresenceChannel(name))
      stats.userCount = (await this.presence.userCounts(appId, [name]))[0];
    return stats;
  }

  async connectionCount(appId: string): Promise<number> {
    let total = this.host?.localConnectionCount(appId) ?? 0;
    for (const answer of await this.ask({ type: 'connections', appId }))
      if (typeof answer === 'number') total += answer;
    return total;
  }

  async terminateUserConnections(appId: string, userId: string): Promise<void> {
    this.host?.terminateLocalUser(appId, userId);
    await this.ask({ type: 'terminate', appId, userId });
  }

  /** The other nodes' answers; none while Redis is unreachable (the answer is then local). */
  private async ask(request: ClusterRequest): Promise<unknown[]> {
    if (!this.commandsUp || !this.subscriberUp || this.closed) return [];
    try {
      return await this.query.ask(request);
    } catch {
      return [];
    }
  }

  private answer(request: ClusterRequest): unknown {
    const host = this.host;
    if (!host) return null;
    switch (request.type) {
      case 'channels':
        return [...host.localChannels(request.appId, request.prefix)];
      case 'connections':
        return host.localConnectionCount(request.appId);
      case 'terminate':
        host.terminateLocalUser(request.appId, request.userId);
        return true;
    }
  }

  // ---- connection state, heartbeat, resync -------------------------------------------

  private async connect(): Promise<void> {
    const { commands, subscriber } = this;
    const remember = (error: Error) => (this.lastError = error.message);
    commands.on('error', remember);
    subscriber.on('error', remember);
    commands.on('ready', () => {
      this.commandsUp = true;
      // Redis may have restarted empty, or dropped us as dead: write our state back.
      if (this.started) this.needsResync = true;
      this.stateChanged();
    });
    subscriber.on('ready', () => {
      this.subscriberUp = true;
      if (this.started) this.subscribeAll();
      this.stateChanged();
    });
    for (const client of [commands, subscriber])
      for (const event of ['close', 'end'] as const)
        client.on(event, () => {
          if (client === commands) this.commandsUp = false;
          else this.subscriberUp = false;
          this.stateChanged();
        });
    subscriber.on('message', (channel, message) => this.onMessage(channel, message));

    try {
      await Promise.all([commands.connect(), subscriber.connect()]);
      await this.subscribeAll();
      await this.heartbeat.now();
      if (!this.registered)
        throw new Error(this.lastError || ScalingMessages.firstHeartbeatFailed());
    } catch (cause) {
      this.closed = true;
      commands.disconnect();
      subscriber.disconnect();
      throw new BroadcastDriverError(
        ScalingMessages.bootFailed(this.where, this.lastError || reasonOf(cause)),
        { cause },
      );
    }
    this.started = true;
    this.heartbeat.start();
    this.logger.log(ScalingMessages.joined(this.nodeId, this.keys.namespace, this.where));
  }

  private subscribeAll(): Promise<unknown> {
    const channels = [this.keys.requests, this.keys.replies(this.nodeId), ...this.wanted.keys()];
    const batches: Promise<unknown>[] = [];
    for (let i = 0; i < channels.length; i += 1000)
      batches.push(this.subscriber.subscribe(...channels.slice(i, i + 1000)));
    return Promise.all(batches).catch((error: Error) => {
      if (!this.started) throw error;
    });
  }

  private isUp(): boolean {
    return this.commandsUp && this.subscriberUp && !this.beatFailing;
  }

  /** Logs once per change between connected and degraded. */
  private stateChanged(): void {
    if (!this.started || this.closed) return;
    const down = !this.isUp();
    if (down === this.degraded) return;
    this.degraded = down;
    const droppedMeanwhile = this.dropped - this.droppedBefore;
    this.droppedBefore = this.dropped;
    this.logger.warn(
      down
        ? ScalingMessages.lost(this.where, this.lastError)
        : ScalingMessages.back(this.where, this.wanted.size, droppedMeanwhile),
    );
  }

  /** Heartbeat + sweep of dead nodes, or a resync when our state in Redis may be stale. */
  private async beat(): Promise<void> {
    if (!this.commandsUp || this.closed) return;
    if (this.needsResync) {
      this.needsResync = false;
      return this.resync();
    }
    let beat: Awaited<ReturnType<PresenceStore['tick']>>;
    try {
      beat = await this.presence.tick();
    } catch (error) {
      this.lastError = reasonOf(error);
      this.beatFailing = true;
      return this.stateChanged();
    }
    if (this.beatFailing) {
      this.beatFailing = false;
      this.stateChanged();
    }
    const { wasAlive, deadNodes, gone } = beat;
    if (!wasAlive && this.registered) await this.resync();
    this.registered = true;
    if (deadNodes.length > 0) this.logger.warn(ScalingMessages.nodesSwept(deadNodes, gone.length));
    for (const change of gone)
      this.publish({
        appId: change.appId,
        channels: [change.channel],
        event: 'pusher_internal:member_removed',
        data: JSON.stringify({ user_id: change.userId }),
      });
  }

  /** Writes this node's presence memberships back and tells the other nodes what changed. */
  private async resync(): Promise<void> {
    try {
      const { gone, added } = await this.presence.resync();
      await this.announce(gone, 'pusher_internal:member_removed');
      await this.announce(added, 'pusher_internal:member_added');
    } catch {
      this.needsResync = true; // try again on the next beat
    }
  }

  private announce(changes: RosterChange[], event: string): Promise<unknown> {
    const sent: Array<Promise<unknown> | undefined> = [];
    for (const change of changes)
      sent.push(
        this.relay({
          appId: change.appId,
          channels: [change.channel],
          event,
          data: JSON.stringify(
            event === 'pusher_internal:member_added'
              ? { user_id: change.userId, user_info: change.info }
              : { user_id: change.userId },
          ),
        }),
      );
    return Promise.all(sent);
  }

  /** Deregisters (other nodes hear member_removed for this node's users) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.heartbeat.stop();
    if (this.commandsUp) {
      try {
        const gone = await this.presence.deregister();
        await this.announce(gone, 'pusher_internal:member_removed');
        // Replies come in order: once PING answers, every earlier PUBLISH went out.
        await this.commands.call('PING');
      } catch {
        // Redis unreachable: the others sweep this node when its heartbeat key expires.
      }
    }
    this.closed = true;
    this.query.flush();
    this.wanted.clear();
    this.localCache.clear();
    for (const client of [this.commands, this.subscriber]) {
      await closeRedisClient(client);
    }
  }
}

/** Most unanswered cluster PUBLISHes; beyond it publishes are dropped and counted. */
const MAX_IN_FLIGHT = 10_000;

const EMPTY = { origin: '', exceptSocketId: null, userId: null } as const;
