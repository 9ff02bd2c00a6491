import { SetMetadata } from '@nestjs/common';
import { CHANNEL_AUTH_METADATA } from './auth.constants.js';
import type { ChannelAuthMetadata, ChannelAuthOptions } from './channel-auth.interface.js';

/**
 * Authorizes browsers for the private, encrypted and presence channels whose name, without
 * its `private-` / `private-encrypted-` / `presence-` prefix, matches `pattern`.
 * `{name}` captures one dot-free segment: `@ChannelAuth('orders.{orderId}')` authorizes
 * `private-orders.7` with `params.orderId === '7'`.
 *
 * The method gets `(user, params)` and returns `true`/an object to allow (the object is the
 * presence member's `user_info`) or `false` to deny. It may be async and use injected services.
 */
export const ChannelAuth = (pattern: string, options: ChannelAuthOptions = {}): MethodDecorator =>
  SetMetadata<string, ChannelAuthMetadata>(CHANNEL_AUTH_METADATA, { pattern, options });
