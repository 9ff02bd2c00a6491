import { isPresenceChannel } from '../../../shared/pusher-protocol/channel-prefixes.js';
import type { HttpApiApp, HttpApiEngine } from '../../engine/engine-surface.js';
import { CHANNEL_ATTRIBUTES, parseAttributes, pickAttributes } from '../channel-attributes.js';
import { badRequest } from '../http-api-error.js';
import { HttpApiMessages } from '../http-api-messages.js';
import type { RequestQuery } from '../request-query.js';

/**
 * `GET /apps/{id}/channels[?filter_by_prefix=&info=]`: the occupied channels, with the
 * attributes asked for. `user_count` only together with the `presence-` prefix, as Pusher.
 */
export async function handleChannels(
  engine: HttpApiEngine,
  app: HttpApiApp,
  query: RequestQuery,
): Promise<object> {
  const info = parseAttributes(query.decoded.info, CHANNEL_ATTRIBUTES);
  const prefix = query.decoded.filter_by_prefix || undefined;
  if (info.includes('user_count') && !(prefix !== undefined && isPresenceChannel(prefix)))
    throw badRequest(HttpApiMessages.userCountNeedsPresencePrefix());
  const channels = await engine.channels(app.id, { prefix });
  const result: Record<string, Record<string, number>> = {};
  for (const [name, counts] of channels) {
    if (prefix && !name.startsWith(prefix)) continue;
    result[name] = pickAttributes(info, counts, name);
  }
  return { channels: result };
}
