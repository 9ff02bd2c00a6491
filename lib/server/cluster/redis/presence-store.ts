import type { PresenceMember } from '../server-adapter.interface.js';
import { JOIN_SCRIPT, LEAVE_SCRIPT, RESYNC_SCRIPT } from './presence-scripts.js';
import type { RedisCommandClient } from '../../../shared/redis/redis-clients.js';
import { runScript } from './scaling-clients.js';
import {
  membershipEntry,
  socketField,
  type BucketKeys,
  type RedisScalingKeys,
} from './redis-scaling-keys.js';
import { triples, type RosterChange } from './roster-change.js';

interface LocalMember {
  userId: string;
  info: unknown;
}

/**
 * Cluster-wide presence rosters in Redis (atomic Lua), plus this node's own memberships in
 * memory. The local copy answers while Redis is unreachable (rosters then show this node's
 * members only) and is replayed into Redis, bucket by bucket (see RedisScalingKeys), when it
 * comes back or when this node finds it was swept as dead there.
 */
export class PresenceStore {
  /** `appId\nchannel` → socket id → member: this node's memberships. */
  private readonly mine = new Map<string, Map<string, LocalMember>>();
  /** Users whose last local socket left while Redis was unreachable: candidates for member_removed. */
  private readonly leftOffline = new Map<string, RosterChange>();

  constructor(
    private readonly redis: RedisCommandClient,
    private readonly keys: RedisScalingKeys,
    private readonly nodeId: string,
    private readonly ttlMs: number,
  ) {}

  /** True when the socket is the user's first on the channel, cluster-wide. */
  async join(
    appId: string,
    channel: string,
    socketId: string,
    member: PresenceMember,
  ): Promise<boolean> {
    const k = localKey(appId, channel);
    let sockets = this.mine.get(k);
    if (!sockets) this.mine.set(k, (sockets = new Map()));
    const firstLocally = !hasUser(sockets, member.id);
    sockets.set(socketId, { userId: member.id, info: member.info });
    this.leftOffline.delete(changeKey(appId, channel, member.id));
    const base = this.keys.presence(appId, channel);
    const index = this.keys.bucketOf(appId, channel).nodePresence(this.nodeId);
    try {
      const first = await runScript(
        this.redis,
        JOIN_SCRIPT,
        [`${base}:m`, `${base}:c`, `${base}:s`, index],
        [
          socketField(this.nodeId, socketId),
          member.id,
          JSON.stringify(member.info ?? null),
          membershipEntry(appId, channel, socketId, member.id),
        ],
      );
      return first === 1;
    } catch {
      return firstLocally;
    }
  }

  /** True when it was the user's last socket on the channel, cluster-wide. */
  async leave(appId: string, channel: string, socketId: string, userId: string): Promise<boolean> {
    const k = localKey(appId, channel);
    const sockets = this.mine.get(k);
    if (!sockets?.delete(socketId)) return false;
    if (sockets.size === 0) this.mine.delete(k);
    const lastLocally = !hasUser(sockets, userId);
    const base = this.keys.presence(appId, channel);
    const index = this.keys.bucketOf(appId, channel).nodePresence(this.nodeId);
    try {
      const last = await runScript(
        this.redis,
        LEAVE_SCRIPT,
        [`${base}:m`, `${base}:c`, `${base}:s`, index],
        [
          socketField(this.nodeId, socketId),
          userId,
          membershipEntry(appId, channel, socketId, userId),
        ],
      );
      return last === 1;
    } catch {
      if (lastLocally)
        this.leftOffline.set(changeKey(appId, channel, userId), { appId, channel, userId });
      return lastLocally;
    }
  }

  /** The cluster roster; this node's members alone when Redis cannot answer. */
  async members(appId: string, channel: string): Promise<Map<string, unknown>> {
    try {
      const flat = (await this.redis.call(
        'HGETALL',
        `${this.keys.presence(appId, channel)}:m`,
      )) as string[];
      const members = new Map<string, unknown>();
      for (let i = 0; i < flat.length; i += 2) members.set(flat[i], parseInfo(flat[i + 1]));
      return members;
    } catch {
      return this.localMembers(appId, channel);
    }
  }

  /** Distinct users per presence channel (HLEN each, pipelined); local counts without Redis. */
  async userCounts(appId: string, channels: string[]): Promise<number[]> {
    try {
      return (await Promise.all(
        channels.map((c) => this.redis.call('HLEN', `${this.keys.presence(appId, c)}:m`)),
      )) as number[];
    } catch {
      return channels.map((c) => this.localMembers(appId, c).size);
    }
  }

  /**
   * Writes this node's memberships of one bucket back into Redis. Returns the net changes
   * other nodes have not heard of: users gone (left while Redis was unreachable, or swept)
   * and users added.
   */
  async resync(bucket: BucketKeys): Promise<{ gone: RosterChange[]; added: RosterChange[] }> {
    const entries: string[][] = [];
    for (const [k, sockets] of this.mine) {
      const [appId, channel] = k.split('\n');
      if (this.keys.bucketOf(appId, channel) !== bucket) continue;
      for (const [socketId, { userId, info }] of sockets)
        entries.push([
          appId,
          channel,
          socketId,
          userId,
          JSON.stringify(info ?? null),
          membershipEntry(appId, channel, socketId, userId),
        ]);
    }
    const left = [...this.leftOffline].filter(
      ([, c]) => this.keys.bucketOf(c.appId, c.channel) === bucket,
    );
    const candidates = left.map(([, c]) => [c.appId, c.channel, c.userId]);
    const [gone, added] = (await runScript(
      this.redis,
      RESYNC_SCRIPT,
      [bucket.nodes],
      [
        bucket.namespace,
        this.nodeId,
        this.ttlMs,
        // cjson decodes [] as an object; the script only iterates, which works for both.
        JSON.stringify(entries),
        JSON.stringify(candidates),
      ],
    )) as [string[], string[]];
    for (const [k] of left) this.leftOffline.delete(k);
    const addedChanges: RosterChange[] = [];
    for (let i = 0; i < added.length; i += 4)
      addedChanges.push({
        appId: added[i],
        channel: added[i + 1],
        userId: added[i + 2],
        info: parseInfo(added[i + 3]),
      });
    return { gone: triples(gone), added: addedChanges };
  }

  /** Forgets this node's memberships (once it deregistered). */
  clear(): void {
    this.mine.clear();
    this.leftOffline.clear();
  }

  private localMembers(appId: string, channel: string): Map<string, unknown> {
    const members = new Map<string, unknown>();
    for (const { userId, info } of this.mine.get(localKey(appId, channel))?.values() ?? [])
      members.set(userId, info);
    return members;
  }
}

function localKey(appId: string, channel: string): string {
  return `${appId}\n${channel}`;
}

function changeKey(appId: string, channel: string, userId: string): string {
  return `${appId}\n${channel}\n${userId}`;
}

function hasUser(sockets: Map<string, LocalMember>, userId: string): boolean {
  for (const member of sockets.values()) if (member.userId === userId) return true;
  return false;
}

function parseInfo(raw: string | undefined): unknown {
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
