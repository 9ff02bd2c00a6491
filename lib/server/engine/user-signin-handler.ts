import { serverToUserChannel } from '../../shared/pusher-protocol/channel-prefixes.js';
import { CloseCode } from '../protocol/close-codes.js';
import { eventFrame } from '../protocol/frames.js';
import type { InboundMessage } from '../protocol/inbound-message.js';
import type { ChannelRegistry } from './channel-registry.js';
import type { PusherConnection } from './pusher-connection.js';
import type { SubscriptionHandler } from './subscription-handler.js';
import { verifySignin } from './user-signin.js';

/**
 * `pusher:signin`: a verified user is indexed for `terminate_connections` and may join its
 * `#server-to-user-{id}` channel. A bad signature closes the socket with 4009, as Pusher does.
 */
export class UserSigninHandler {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly subscriptions: Pick<SubscriptionHandler, 'leave'>,
  ) {}

  signin(conn: PusherConnection, message: InboundMessage): void {
    const user = verifySignin(conn, message);
    if ('refused' in user) return conn.fail(CloseCode.UNAUTHORIZED, user.refused);
    const { id, userData } = user;
    // Signing in as someone else drops the previous user's index entry and private channel.
    if (conn.userId !== undefined && conn.userId !== id) {
      this.registry.signOut(conn);
      const previous = serverToUserChannel(conn.userId);
      if (conn.channels.has(previous)) void this.subscriptions.leave(conn, previous);
    }
    this.registry.signIn(conn, id);
    conn.send(eventFrame('pusher:signin_success', JSON.stringify({ user_data: userData })));
  }
}
