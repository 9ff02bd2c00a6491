/**
 * Every Redis key and pub/sub channel the scaling adapter uses, under one namespace so
 * several apps or environments share a Redis without crosstalk. Channel names never contain
 * `:` (the Pusher name rules), so `{appId}:{channel}` splits unambiguously at the last `:`.
 */
export class RedisScalingKeys {
  constructor(
    /** Namespace of every key and channel, e.g. `myapp:nestjs-broadcasting:`. */
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

  /** SET of the nodes with local subscribers on a channel (occupancy-scripts.ts). */
  occupancy(appId: string, channel: string): string {
    return `${this.namespace}o:${appId}:${channel}`;
  }

  /** Base of a presence channel's keys: `:m` user → info, `:c` user → sockets, `:s` socket → user. */
  presence(appId: string, channel: string): string {
    return `${this.namespace}p:${appId}:${channel}`;
  }

  /** A cache channel's last event. */
  cache(appId: string, channel: string): string {
    return `${this.namespace}cache:${appId}:${channel}`;
  }

  /** Pub/sub: broadcasts on one Pusher channel (a node SUBSCRIBEs while it has local subscribers). */
  broadcast(appId: string, channel: string): string {
    return `${this.namespace}b:${appId}:${channel}`;
  }

  /** Pub/sub: cluster queries and commands every node listens to. */
  get requests(): string {
    return `${this.namespace}q`;
  }

  /** Pub/sub: the answers to one node's queries. */
  replies(nodeId: string): string {
    return `${this.namespace}r:${nodeId}`;
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
