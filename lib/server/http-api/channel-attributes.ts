import { channelKind } from '../../shared/pusher-protocol/channel-names.js';
import type { HttpApiEngine } from '../engine/engine-surface.js';
import { badRequest } from './http-api-error.js';
import { HttpApiMessages } from './http-api-messages.js';

/** Channel attributes a request may ask for in `info`. */
export type ChannelAttribute = 'user_count' | 'subscription_count';

export const CHANNEL_ATTRIBUTES: readonly ChannelAttribute[] = ['user_count', 'subscription_count'];

/** Parses a comma-separated `info` list, refusing attributes the endpoint does not know. */
export function parseAttributes<T extends string>(
  info: unknown,
  allowed: readonly T[],
  where = '',
): T[] {
  if (info === undefined || info === null || info === '') return [];
  if (typeof info !== 'string') throw badRequest(HttpApiMessages.infoNotString(where));
  const attributes = [
    ...new Set(
      info
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ];
  for (const attribute of attributes) {
    if (!(allowed as readonly string[]).includes(attribute))
      throw badRequest(HttpApiMessages.unknownAttribute(where, attribute, allowed));
  }
  return attributes as T[];
}

/** The requested attributes of one channel; `user_count` exists only on presence channels. */
export function pickAttributes(
  info: ChannelAttribute[],
  counts: { subscriptionCount: number; userCount?: number },
  channel: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (info.includes('user_count') && channelKind(channel) === 'presence')
    out.user_count = counts.userCount ?? 0;
  if (info.includes('subscription_count')) out.subscription_count = counts.subscriptionCount;
  return out;
}

/** The requested attributes of each channel, queried in parallel (cluster-wide if scaled). */
export async function channelsInfo(
  engine: HttpApiEngine,
  appId: string,
  channels: string[],
  info: ChannelAttribute[],
): Promise<Record<string, Record<string, number>>> {
  const result: Record<string, Record<string, number>> = {};
  await Promise.all(
    channels.map(async (name) => {
      result[name] = pickAttributes(info, await engine.channel(appId, name), name);
    }),
  );
  return result;
}
