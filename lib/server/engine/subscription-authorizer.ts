import { channelKind, channelNameProblem } from '../../shared/pusher-protocol/channel-names.js';
import { channelAuthString, verifyAuth } from '../../shared/pusher-protocol/signatures.js';
import type { PresenceMember } from '../cluster/server-adapter.interface.js';
import type { PusherConnection } from './pusher-connection.js';
import { serverToUserChannel } from '../../shared/pusher-protocol/channel-prefixes.js';

export type SubscriptionDecision =
  { ok: true; member?: PresenceMember } | { ok: false; error: string; status: number };

const SIGN_HINT = 'sign it with your app secret at your auth endpoint (key:HMAC-SHA256)';

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
  if (problem) return deny(`Invalid channel name: ${problem}.`, 400);
  const { app, socketId } = conn;

  switch (channelKind(channel)) {
    case 'public':
      return { ok: true };
    case 'server-to-user':
      return conn.userId !== undefined && channel === serverToUserChannel(conn.userId)
        ? { ok: true }
        : deny(
            `Only the signed-in user may subscribe to ${channel}: call pusher:signin first.`,
            403,
          );
    case 'private':
    case 'encrypted':
      return verifyAuth(app.key, app.secret, channelAuthString(socketId, channel), data.auth)
        ? { ok: true }
        : deny(`Invalid signature for ${channel}: ${SIGN_HINT} over "socket_id:channel".`, 401);
    case 'presence': {
      const channelData = data.channel_data;
      if (typeof channelData !== 'string')
        return deny(
          `Presence channel ${channel} needs channel_data (a JSON string with user_id).`,
          401,
        );
      if (
        !verifyAuth(
          app.key,
          app.secret,
          channelAuthString(socketId, channel, channelData),
          data.auth,
        )
      )
        return deny(
          `Invalid signature for ${channel}: ${SIGN_HINT} over "socket_id:channel:channel_data".`,
          401,
        );
      if (Buffer.byteLength(channelData) > app.limits.maxPresenceMemberBytes)
        return deny(
          `Presence channel_data is larger than ${app.limits.maxPresenceMemberBytes} bytes: send less user_info.`,
          413,
        );
      const member = parseMember(channelData);
      if (!member)
        return deny('Presence channel_data must be JSON with a user_id string or number.', 400);
      const roster = await memberCount();
      if (roster.size >= app.limits.maxPresenceMembers && !roster.has(member.id))
        return deny(
          `Presence channel ${channel} is full (${app.limits.maxPresenceMembers} members).`,
          403,
        );
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
