import { crc32 } from 'node:zlib';

/**
 * How many buckets the presence and occupancy state is split into on a Redis Cluster. A Lua
 * script's keys must share one slot, so each bucket is a self-contained copy of the layout
 * (registry, heartbeat keys, per-node indexes, the channels hashed to it) under its own hash
 * tag. 16 slots spread over the 3 to 12 masters of a typical cluster, and stay few enough that
 * a heartbeat's 16 scripts are cheap. Every node of a cluster must hash channels alike, so
 * this is a constant, not an option.
 */
export const CLUSTER_BUCKETS = 16;

/**
 * The keys of one bucket that the Lua scripts build from its namespace (see
 * presence-scripts.ts): on a Redis Cluster every key of a bucket lives in the bucket's slot.
 */
export class BucketKeys {
  constructor(
    /** 0 to the bucket count - 1. */
    readonly index: number,
    /** Prefix of every key of the bucket; a hash tag on a Redis Cluster. */
    readonly namespace: string,
  ) {}

  /** SET of the node ids that have registered. */
  get nodes(): string {
    return `${this.namespace}nodes`;
  }

  /** A node's heartbeat key; it expires when the node stops refreshing it. */
  alive(nodeId: string): string {
    return `${this.namespace}node:${nodeId}`;
  }

  /** SET of a node's presence memberships, so survivors can remove them when it dies. */
  nodePresence(nodeId: string): string {
    return `${this.namespace}node:${nodeId}:presence`;
  }

  /** SET of a node's occupied channels (`[appId, channel]` JSON), for the dead-node sweep. */
  nodeChannels(nodeId: string): string {
    return `${this.namespace}node:${nodeId}:channels`;
  }
}

/**
 * Every Redis key and pub/sub channel the scaling adapter uses, under one namespace so
 * several apps or environments share a Redis without crosstalk. Channel names never contain
 * `:` (the Pusher name rules), so `{appId}:{channel}` splits unambiguously at the last `:`.
 * The one place that knows which bucket a channel's presence and occupancy keys are in.
 */
export class RedisScalingKeys {
  /**
   * The namespace, as a hash tag on a Redis Cluster (`{myapp:nestjs-broadcasting:}`): state
   * that is not per channel and not bucketed (pending webhooks) keeps its keys in one slot.
   */
  readonly namespace: string;
  /**
   * One on a single Redis, whose namespace is the plain one (today's key names, so nodes of
   * every version agree); {@link CLUSTER_BUCKETS} on a Redis Cluster, `{myapp:nestjs-broadcasting:b3}`.
   */
  readonly buckets: readonly BucketKeys[];

  constructor(
    /** Namespace of every key and channel, e.g. `myapp:nestjs-broadcasting:`. */
    private readonly plain: string,
    /** On a Redis Cluster: hash tags keep script keys together and spread channels. */
    private readonly cluster = false,
  ) {
    this.namespace = cluster ? `{${plain}}` : plain;
    this.buckets = cluster
      ? Array.from({ length: CLUSTER_BUCKETS }, (_, i) => new BucketKeys(i, `{${plain}b${i}}`))
      : [new BucketKeys(0, plain)];
  }

  /**
   * The bucket of a channel's presence roster and occupancy: a stable hash, the same on every
   * node. One of {@link buckets}, so it compares by identity.
   */
  bucketOf(appId: string, channel: string): BucketKeys {
    return this.buckets[bucketIndex(appId, channel, this.buckets.length)];
  }

  /** `{app:channel}` on a cluster: that channel's own slot, so channels spread over shards. */
  private perChannel(appId: string, channel: string): string {
    return this.cluster ? `{${appId}:${channel}}` : `${appId}:${channel}`;
  }

  /** SET of the nodes with local subscribers on a channel (occupancy-scripts.ts). */
  occupancy(appId: string, channel: string): string {
    return `${this.bucketOf(appId, channel).namespace}o:${appId}:${channel}`;
  }

  /** Base of a presence channel's keys: `:m` user → info, `:c` user → sockets, `:s` socket → user. */
  presence(appId: string, channel: string): string {
    return `${this.bucketOf(appId, channel).namespace}p:${appId}:${channel}`;
  }

  /** A cache channel's last event (no script touches it: its own slot on a cluster). */
  cache(appId: string, channel: string): string {
    return `${this.plain}cache:${this.perChannel(appId, channel)}`;
  }

  /**
   * Pub/sub: broadcasts on one Pusher channel (a node SUBSCRIBEs while it has local
   * subscribers). On a cluster, a shard channel in the Pusher channel's own slot.
   */
  broadcast(appId: string, channel: string): string {
    return `${this.plain}b:${this.perChannel(appId, channel)}`;
  }

  /** Pub/sub: cluster queries and commands every node listens to. */
  get requests(): string {
    return `${this.plain}q`;
  }

  /** Pub/sub: the answers to one node's queries. */
  replies(nodeId: string): string {
    return `${this.plain}r:${nodeId}`;
  }
}

/** CRC-32 of `appId:channel` modulo the bucket count: stable across nodes, versions and restarts. */
export function bucketIndex(appId: string, channel: string, count: number): number {
  return count === 1 ? 0 : crc32(`${appId}:${channel}`) % count;
}

/** The field naming one socket of one node in a presence channel's `:s` hash. */
export function socketField(nodeId: string, socketId: string): string {
  return `${nodeId}|${socketId}`;
}

/** A node's presence index entry; the same string is added on join and removed on leave. */
export function membershipEntry(
  appId: string,
  channel: string,
  socketId: string,
  userId: string,
): string {
  return JSON.stringify([appId, channel, socketId, userId]);
}
