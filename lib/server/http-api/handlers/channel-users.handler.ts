import { channelKind } from '../../../shared/pusher-protocol/channel-names.js';
import type { HttpApiApp, HttpApiEngine } from '../../engine/engine-surface.js';
import { badRequest } from '../http-api-error.js';
import { HttpApiMessages } from '../http-api-messages.js';

/** `GET /apps/{id}/channels/{name}/users`: the ids of a presence channel's members. */
export async function handleChannelUsers(
  engine: HttpApiEngine,
  app: HttpApiApp,
  channel: string,
): Promise<object> {
  if (channelKind(channel) !== 'presence') throw badRequest(HttpApiMessages.usersNeedPresence());
  const users = await engine.presenceUsers(app.id, channel);
  return { users: users.map((u) => ({ id: u.id })) };
}
