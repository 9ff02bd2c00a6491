import type { RedisCommandClient } from '../../../shared/redis/redis-clients.js';
import { isCacheChannel } from '../../../shared/pusher-protocol/channel-names.js';
import type { AdapterPublish, CachedEvent } from '../server-adapter.interface.js';
import { CACHE_TTL_MS } from '../cache-channel.constants.js';
import { decodeBroadcast, encodeBroadcast } from './cluster-message.js';
import type { RedisLink } from './redis-link.js';
import type { RedisScalingKeys } from './redis-scaling-keys.js';

/**
 * Each cache channel's last event, cluster-wide: a key with a TTL of CACHE_TTL_MS in Redis,
 * written by whichever node published it, so a subscriber on any node gets it. This node
 * also keeps what it published itself, to answer from while Redis cannot.
 */
export class CacheChannelStore {
  private readonly local = new Map<string, CachedEvent & { at: number }>();

  constructor(
    private readonly commands: RedisCommandClient,
    private readonly link: RedisLink,
    private readonly keys: RedisScalingKeys,
  ) {}

  /** Keeps the message as the last event of each cache channel it is published on. */
  remember(message: AdapterPublish): void {
    const at = Date.now();
    for (const channel of message.channels) {
      if (!isCacheChannel(channel)) continue;
      const key = this.keys.cache(message.appId, channel);
      this.local.set(key, { event: message.event, data: message.data, at });
      if (this.link.commandsOpen)
        this.commands.call('SET', key, encodeCached(message), 'PX', CACHE_TTL_MS).catch(() => {});
    }
  }

  /** The last event, from Redis; this node's own copy when Redis cannot answer. */
  async last(appId: string, channel: string): Promise<CachedEvent | undefined> {
    const key = this.keys.cache(appId, channel);
    try {
      const raw = (await this.commands.call('GET', key)) as string | null;
      const decoded = raw === null ? undefined : decodeBroadcast(raw);
      if (decoded) return { event: decoded.event, data: decoded.data };
    } catch {
      // Redis unreachable: this node's own copy below.
    }
    const local = this.local.get(key);
    if (!local || Date.now() - local.at > CACHE_TTL_MS) return undefined;
    return { event: local.event, data: local.data };
  }

  clear(): void {
    this.local.clear();
  }
}

/** The relay's wire form (cluster-message.ts), so one decoder reads both. */
function encodeCached(message: AdapterPublish): string {
  return encodeBroadcast({
    origin: '',
    event: message.event,
    data: message.data,
    exceptSocketId: null,
    userId: null,
  });
}
