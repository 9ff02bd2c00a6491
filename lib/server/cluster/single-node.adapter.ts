import { isCacheChannel } from '../../shared/pusher-protocol/channel-names.js';
import type {
  AdapterHost,
  AdapterPublish,
  CachedEvent,
  ChannelStats,
  PresenceMember,
  ServerAdapter,
} from './server-adapter.interface.js';
import { CACHE_TTL_MS } from './cache-channel.constants.js';
import { isPresenceChannel } from '../../shared/pusher-protocol/channel-prefixes.js';

/** One presence channel's roster: user id → their info and the sockets they joined with. */
type Roster = Map<string, { info: unknown; sockets: Set<string> }>;

/**
 * The adapter of a server that runs alone (no `scaling`): the cluster is this one node, so
 * rosters and cache-channel events live in memory, delivery goes straight to the engine and
 * counts are the engine's own. Keys are `appId + '\n' + channel` (a newline never occurs
 * in either).
 */
export class SingleNodeAdapter implements ServerAdapter {
  private host?: AdapterHost;
  private readonly rosters = new Map<string, Roster>();
  private readonly cache = new Map<string, CachedEvent & { at: number }>();

  attach(host: AdapterHost): void {
    this.host = host;
  }

  publish(message: AdapterPublish): void {
    if (message.cache) {
      for (const channel of message.channels)
        if (isCacheChannel(channel))
          this.cache.set(key(message.appId, channel), {
            event: message.event,
            data: message.data,
            at: Date.now(),
          });
    }
    this.host?.deliver(message);
  }

  async joinPresence(appId: string, channel: string, socketId: string, member: PresenceMember) {
    const k = key(appId, channel);
    let roster = this.rosters.get(k);
    if (!roster) this.rosters.set(k, (roster = new Map()));
    const entry = roster.get(member.id);
    if (entry) {
      entry.sockets.add(socketId);
      entry.info = member.info;
      return { firstForUser: false };
    }
    roster.set(member.id, { info: member.info, sockets: new Set([socketId]) });
    this.host?.notify(appId, { name: 'member_added', channel, user_id: member.id });
    return { firstForUser: true };
  }

  async leavePresence(appId: string, channel: string, socketId: string, userId: string) {
    const k = key(appId, channel);
    const roster = this.rosters.get(k);
    const entry = roster?.get(userId);
    if (!roster || !entry || !entry.sockets.delete(socketId)) return { lastForUser: false };
    if (entry.sockets.size > 0) return { lastForUser: false };
    roster.delete(userId);
    if (roster.size === 0) this.rosters.delete(k);
    this.host?.notify(appId, { name: 'member_removed', channel, user_id: userId });
    return { lastForUser: true };
  }

  async presenceMembers(appId: string, channel: string): Promise<Map<string, unknown>> {
    const members = new Map<string, unknown>();
    for (const [id, { info }] of this.rosters.get(key(appId, channel)) ?? []) members.set(id, info);
    return members;
  }

  async cachedEvent(appId: string, channel: string): Promise<CachedEvent | undefined> {
    const k = key(appId, channel);
    const cached = this.cache.get(k);
    if (!cached) return undefined;
    if (Date.now() - cached.at > CACHE_TTL_MS) {
      this.cache.delete(k);
      return undefined;
    }
    return { event: cached.event, data: cached.data };
  }

  async channels(appId: string, prefix?: string): Promise<Map<string, ChannelStats>> {
    const result = new Map<string, ChannelStats>();
    for (const [name, count] of this.host?.localChannels(appId, prefix) ?? [])
      result.set(name, this.stats(appId, name, count));
    return result;
  }

  async channel(appId: string, name: string): Promise<ChannelStats> {
    const count = this.host?.localChannels(appId, name).get(name) ?? 0;
    return this.stats(appId, name, count);
  }

  async connectionCount(appId: string): Promise<number> {
    return this.host?.localConnectionCount(appId) ?? 0;
  }

  async terminateUserConnections(appId: string, userId: string): Promise<void> {
    this.host?.terminateLocalUser(appId, userId);
  }

  // The engine calls these for its first and last local subscriber, which on one node are
  // the cluster's too.
  channelOccupied(appId: string, channel: string): void {
    this.host?.notify(appId, { name: 'channel_occupied', channel });
  }

  // Rosters empty themselves as members leave; a cache channel keeps its last event while
  // vacant (until CACHE_TTL_MS), as Pusher does.
  channelVacated(appId: string, channel: string): void {
    this.host?.notify(appId, { name: 'channel_vacated', channel });
  }

  async close(): Promise<void> {
    this.rosters.clear();
    this.cache.clear();
  }

  private stats(appId: string, name: string, subscriptionCount: number): ChannelStats {
    const stats: ChannelStats = { occupied: subscriptionCount > 0, subscriptionCount };
    if (isPresenceChannel(name)) stats.userCount = this.rosters.get(key(appId, name))?.size ?? 0;
    return stats;
  }
}

function key(appId: string, channel: string): string {
  return `${appId}\n${channel}`;
}
