import { channelKind, channelNameProblem } from '../../shared/pusher-protocol/channel-names.js';
import { channelAuthString, verifyAuth } from '../../shared/pusher-protocol/signatures.js';
import type { PresenceMember } from '../cluster/server-adapter.interface.js';
import { serverToUserChannel } from '../../shared/pusher-protocol/channel-prefixes.js';
import { EngineMessages } from './engine-messages.js';
import type { PusherConnection } from './pusher-connection.js';

export type SubscriptionDecision =
  { ok: true; member?: PresenceMember } | { ok: false; error: string; status: number };

/**
 * Decides whether a socket may join a channel: the name, then the signature for private,
 * encrypted and presence channels (constant-time), then presence `channel_data` and limits.
 * `memberCount` is only called for presence channels.
 */
export async function authorizeSubscription(
  conn: PusherConnection,
  channel: string,
  data: Record<string, unknown>,
  memberCount: () => Promise<{ size: number; has: (id: string) => boolean }>,
): Promise<SubscriptionDecision> {
  const problem = channelNameProblem(channel);
  if (problem) return deny(EngineMessages.invalidChannelName(problem), 400);
  const { app, socketId } = conn;

  switch (channelKind(channel)) {
    case 'public':
      return { ok: true };
    case 'server-to-user':
      return conn.userId !== undefined && channel === serverToUserChannel(conn.userId)
        ? { ok: true }
        : deny(EngineMessages.serverToUserOnly(channel), 403);
    case 'private':
    case 'encrypted':
      return verifyAuth(app.key, app.secret, channelAuthString(socketId, channel), data.auth)
        ? { ok: true }
        : deny(EngineMessages.badChannelSignature(channel), 401);
    case 'presence': {
      const channelData = data.channel_data;
      if (typeof channelData !== 'string')
        return deny(EngineMessages.presenceNeedsChannelData(channel), 401);
      if (
        !verifyAuth(
          app.key,
          app.secret,
          channelAuthString(socketId, channel, channelData),
          data.auth,
        )
      )
        return deny(EngineMessages.badPresenceSignature(channel), 401);
      if (Buffer.byteLength(channelData) > app.limits.maxPresenceMemberBytes)
        return deny(EngineMessages.presenceDataTooLarge(app.limits.maxPresenceMemberBytes), 413);
      const member = parseMember(channelData);
      if (!member) return deny(EngineMessages.presenceBadUserId(), 400);
      const roster = await memberCount();
      if (roster.size >= app.limits.maxPresenceMembers && !roster.has(member.id))
        return deny(EngineMessages.presenceFull(channel, app.limits.maxPresenceMembers), 403);
      return { ok: true, member };
    }
  }
}

function parseMember(channelData: string): PresenceMember | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(channelData);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { user_id, user_info } = parsed as { user_id?: unknown; user_info?: unknown };
  if ((typeof user_id !== 'string' && typeof user_id !== 'number') || user_id === '')
    return undefined;
  return { id: String(user_id), info: user_info ?? null };
}

function deny(error: string, status: number): SubscriptionDecision {
  return { ok: false, error, status };
}
