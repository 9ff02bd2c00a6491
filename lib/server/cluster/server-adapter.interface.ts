import type { WebhookEvent } from '../../webhooks/webhook-event.js';

/**
 * The seam between one engine (one node) and the cluster. Everything whose answer must be
 * cluster-wide goes through it: publish delivery, presence rosters, counts, cache-channel
 * state, user termination. {@link SingleNodeAdapter} answers for a single node; a scaling adapter
 * (Redis) relays to the other nodes and aggregates their {@link AdapterHost} answers.
 */
export interface ServerAdapter {
  /** Called once by the engine before it accepts connections. */
  attach(host: AdapterHost): void | Promise<void>;

  /** Delivers to every node's subscribers (this node's through `host.deliver`). Never throws. */
  publish(message: AdapterPublish): void;

  /** Adds a socket to a presence roster. `firstForUser`: the user had no other socket on it. */
  joinPresence(
    appId: string,
    channel: string,
    socketId: string,
    member: PresenceMember,
  ): Promise<{ firstForUser: boolean }>;
  /** Removes a socket from a roster. `lastForUser`: the user has no socket left on it. */
  leavePresence(
    appId: string,
    channel: string,
    socketId: string,
    userId: string,
  ): Promise<{ lastForUser: boolean }>;
  /** The roster: user id → user_info, one entry per user however many sockets they have. */
  presenceMembers(appId: string, channel: string): Promise<Map<string, unknown>>;

  /** The last event published on a cache channel, if any within `CACHE_TTL_MS`. */
  cachedEvent(appId: string, channel: string): Promise<CachedEvent | undefined>;

  channels(appId: string, prefix?: string): Promise<Map<string, ChannelStats>>;
  channel(appId: string, name: string): Promise<ChannelStats>;
  connectionCount(appId: string): Promise<number>;
  terminateUserConnections(appId: string, userId: string): Promise<void>;

  /**
   * This node got its first local subscriber on the channel (a Redis adapter SUBSCRIBEs).
   * A Promise resolves once the node really listens (the SUBSCRIBE reply): the engine sends
   * `subscription_succeeded` only then, so a message published right after the client saw
   * it cannot be missed. It must settle in bounded time (resolve on error or timeout, see
   * `settleWithin`) because the subscription waits for it.
   */
  channelOccupied(appId: string, channel: string): void | Promise<void>;
  /** This node's last local subscriber left the channel. */
  channelVacated(appId: string, channel: string): void;

  close(): Promise<void>;
}

/** What the engine offers its adapter: this node's local state and delivery. */
export interface AdapterHost {
  /** Fan-out to this node's sockets (the hot path). */
  deliver(message: AdapterPublish): void;
  /** This node's subscription count per channel. */
  localChannels(appId: string, prefix?: string): Map<string, number>;
  localConnectionCount(appId: string): number;
  /** Closes this node's sockets signed in as the user. */
  terminateLocalUser(appId: string, userId: string): void;
  /**
   * A change the cluster has decided, told once per cluster by the node whose call made it
   * (webhooks and Nest events listen): `channel_occupied` when a channel gets its first
   * subscriber anywhere, `channel_vacated` when no node has one left, `member_added` /
   * `member_removed` for a user's first / last socket on a presence roster, including those
   * a dead-node sweep removes.
   */
  notify(appId: string, event: WebhookEvent): void;
}

export interface AdapterPublish {
  appId: string;
  channels: string[];
  event: string;
  /** Already the JSON string the wire carries. */
  data: string;
  exceptSocketId?: string | null;
  /** Added to the frame for client events on presence channels. */
  userId?: string;
  /** Remember as a cache channel's last event (HTTP/hub publishes, not client events). */
  cache?: boolean;
  /**
   * Deliver to this node's sockets only, never relayed to other nodes: for sources every
   * node receives by itself (Laravel's Redis broadcasts), which relaying would duplicate.
   * A single-node adapter delivers every message locally anyway.
   */
  thisNodeOnly?: boolean;
}

export interface PresenceMember {
  id: string;
  info: unknown;
}

export interface CachedEvent {
  event: string;
  data: string;
}

export interface ChannelStats {
  occupied: boolean;
  subscriptionCount: number;
  /** Presence channels only: distinct users. */
  userCount?: number;
}
