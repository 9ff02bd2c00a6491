import { userAuthString, verifyAuth } from '../../shared/pusher-protocol/signatures.js';
import { dataObject, type InboundMessage } from '../protocol/inbound-message.js';
import { EngineMessages } from './engine-messages.js';
import type { PusherConnection } from './pusher-connection.js';

/**
 * Verifies `pusher:signin` `{auth, user_data}`: the signature over
 * `socket_id::user::user_data` (constant time), then a string `id` in `user_data`.
 * Returns the user, or the reason it is refused.
 */
export function verifySignin(
  conn: PusherConnection,
  message: InboundMessage,
): { id: string; userData: string } | { refused: string } {
  const data = dataObject(message);
  const userData = data?.user_data;
  const { app, socketId } = conn;
  if (
    typeof userData !== 'string' ||
    !verifyAuth(app.key, app.secret, userAuthString(socketId, userData), data?.auth)
  )
    return { refused: EngineMessages.badSigninSignature() };
  let id: unknown;
  try {
    id = (JSON.parse(userData) as { id?: unknown } | null)?.id;
  } catch {
    id = undefined;
  }
  if (typeof id !== 'string' || id === '') return { refused: EngineMessages.signinNeedsStringId() };
  return { id, userData };
}
