import { channelKind } from '../../../shared/pusher-protocol/channel-names.js';
import type { HttpApiApp, HttpApiEngine } from '../../engine/engine-surface.js';
import { CHANNEL_ATTRIBUTES, parseAttributes, pickAttributes } from '../channel-attributes.js';
import { badRequest } from '../http-api-error.js';
import { HttpApiMessages } from '../http-api-messages.js';
import type { RequestQuery } from '../request-query.js';

/** `GET /apps/{id}/channels/{name}[?info=]`: whether the channel is occupied, and its attributes. */
export async function handleChannel(
  engine: HttpApiEngine,
  app: HttpApiApp,
  channel: string,
  query: RequestQuery,
): Promise<object> {
  const info = parseAttributes(query.decoded.info, CHANNEL_ATTRIBUTES);
  if (info.includes('user_count') && channelKind(channel) !== 'presence')
    throw badRequest(HttpApiMessages.userCountNeedsPresence());
  const state = await engine.channel(app.id, channel);
  return { occupied: state.occupied, ...pickAttributes(info, state, channel) };
}
