/**
 * Every Redis key and pub/sub channel the scaling adapter uses, under one namespace so
 * several apps or environments share a Redis without crosstalk. Channel names never contain
 * `:` (the Pusher name rules), so `{appId}:{channel}` splits unambiguously at the last `:`.
 */
export class RedisScalingKeys {
  /**
   * Prefix of the node registry and presence keys, which the Lua scripts build from it. On a
   * Redis Cluster it is the namespace as a hash tag (`{myapp:nestjs-broadcasting:}`): every
   * such key then lives in one slot, as a script's keys must, including the sweep of a dead
   * node that touches every channel it had members on.
   */
  readonly namespace: string;

  constructor(
    /** Namespace of every key and channel, e.g. `myapp:nestjs-broadcasting:`. */
    private readonly plain: string,
    /** On a Redis Cluster: hash tags keep script keys together and spread channels. */
    private readonly cluster = false,
  ) {
    this.namespace = cluster ? `{${plain}}` : plain;
  }

  /** `{app:channel}` on a cluster: that channel's own slot, so channels spread over shards. */
  private perChannel(appId: string, channel: string): string {
    return this.cluster ? `{${appId}:${channel}}` : `${appId}:${channel}`;
  }

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

  /** SET of the nodes with local subscribers on a channel (occupancy-scripts.ts). */
  occupancy(appId: string, channel: string): string {
    return `${this.namespace}o:${appId}:${channel}`;
  }

  /** Base of a presence channel's keys: `:m` user → info, `:c` user → sockets, `:s` socket → user. */
  presence(appId: string, channel: string): string {
    return `${this.namespace}p:${appId}:${channel}`;
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
