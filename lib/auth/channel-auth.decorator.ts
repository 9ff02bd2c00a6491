import { SetMetadata } from '@nestjs/common';
import type { ChannelContract, ChannelKind } from '../contract/channel-contract.js';
import type { AuthParamsOf, MemberOf } from '../contract/event-contract.js';
import { CHANNEL_AUTH_METADATA } from './auth.constants.js';
import type { ChannelAuthMetadata, ChannelAuthOptions } from './channel-auth.interface.js';

/** A channel contract a browser must be authorized for (any kind but public). */
export type AuthorizableChannelContract = ChannelContract<Exclude<ChannelKind, 'public'>, any, any>;

/**
 * What a `@ChannelAuth(channel)` method may return: on a presence channel, the member's
 * `user_info` typed by the contract; elsewhere a yes or no.
 */
export type ContractAuthResult<C extends AuthorizableChannelContract> =
  boolean | null | undefined | (C['kind'] extends 'presence' ? MemberOf<C> : never);

/** The method `@ChannelAuth(channel)` decorates: `(user, params)` with the contract's params. */
export type ContractAuthMethod<C extends AuthorizableChannelContract> = (
  user: any,
  params: AuthParamsOf<C>,
) => ContractAuthResult<C> | Promise<ContractAuthResult<C>>;

/**
 * Authorizes browsers for the private, encrypted and presence channels whose name, without
 * its `private-` / `private-encrypted-` / `presence-` prefix, matches `pattern`.
 * `{name}` captures one dot-free segment: `@ChannelAuth('orders.{orderId}')` authorizes
 * `private-orders.7` with `params.orderId === '7'`.
 *
 * The method gets `(user, params)` and returns `true`/an object to allow (the object is the
 * presence member's `user_info`) or `false` to deny. It may be async and use injected services.
 */
export function ChannelAuth(pattern: string, options?: ChannelAuthOptions): MethodDecorator;
/**
 * Authorizes the channel of a contract (`nestjs-broadcasting/contract`), for its kind only.
 * The compiler checks the method against it: `params` has the pattern's keys, and on a
 * presence channel the returned object is the contract's member type.
 */
export function ChannelAuth<C extends AuthorizableChannelContract>(
  channel: C,
): <M extends ContractAuthMethod<C>>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void;
export function ChannelAuth(
  target: string | AuthorizableChannelContract,
  options: ChannelAuthOptions = {},
): MethodDecorator {
  const metadata: ChannelAuthMetadata =
    typeof target === 'object' && target !== null && target.contract === 'channel'
      ? { pattern: target.pattern, options: { kinds: [target.kind] }, member: target.member }
      : { pattern: target as string, options };
  return SetMetadata<string, ChannelAuthMetadata>(CHANNEL_AUTH_METADATA, metadata);
}
