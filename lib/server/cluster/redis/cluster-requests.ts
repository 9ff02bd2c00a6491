import { isPresenceChannel } from '../../../shared/pusher-protocol/channel-prefixes.js';
import type { AdapterHost, ChannelStats } from '../server-adapter.interface.js';
import type { ClusterQuery } from './cluster-query.js';
import type { PresenceStore } from './presence-store.js';
import type { RedisLink } from './redis-link.js';

/** What one node is asked: its local subscription counts, connection count, or to terminate a user. */
export type ClusterRequest =
  | { type: 'channels'; appId: string; prefix?: string }
  | { type: 'connections'; appId: string }
  | { type: 'terminate'; appId: string; userId: string };

/**
 * The cluster-wide answers of the HTTP API and the connection quota: this node's own answer
 * plus every other node's, asked over {@link ClusterQuery}. While Redis is unreachable the
 * answer is this node's alone (and presence user counts this node's members).
 */
export class ClusterRequests {
  private host?: AdapterHost;

  constructor(
    private readonly query: ClusterQuery,
    private readonly link: RedisLink,
    private readonly presence: PresenceStore,
  ) {}

  attach(host: AdapterHost): void {
    this.host = host;
  }

  /** The Redis channels queries travel on. */
  get redisChannels(): string[] {
    return this.query.redisChannels;
  }

  /** A message on a Redis channel: false when it is not a query channel. */
  receive(redisChannel: string, raw: string): boolean {
    return this.query.receive(redisChannel, raw, this.answer);
  }

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

  /** Resolves every query still waiting with the answers it has (on close). */
  flush(): void {
    this.query.flush();
  }

  /** The other nodes' answers; none while Redis is unreachable (the answer is then local). */
  private async ask(request: ClusterRequest): Promise<unknown[]> {
    if (!this.link.commandsOpen || !this.link.subscriberOpen) return [];
    try {
      return await this.query.ask(request);
    } catch {
      return [];
    }
  }

  /** What this node answers another node's request with. */
  private readonly answer = (request: ClusterRequest): unknown => {
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
  };
}
