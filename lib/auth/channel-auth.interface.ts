/** Kinds of channel a browser must be authorized for. */
export type AuthorizableChannelKind = 'private' | 'presence' | 'encrypted';

/** Values captured by a pattern's `{name}` placeholders: `orders.{orderId}` → `{ orderId: '7' }`. */
export type ChannelAuthParams = Record<string, string>;

/**
 * What a `@ChannelAuth` callback returns:
 * - `false` / `null` / `undefined`: deny (403 `callback_denied`);
 * - `true`: allow (a presence member then has no `user_info`);
 * - an object: allow; on a presence channel it becomes the member's `user_info`.
 */
export type ChannelAuthResult = boolean | Record<string, unknown> | null | undefined;

export type ChannelAuthCallback<TUser = any> = (
  user: TUser,
  params: ChannelAuthParams,
) => ChannelAuthResult | Promise<ChannelAuthResult>;

/** Second argument of `@ChannelAuth(pattern, options)`. */
export interface ChannelAuthOptions {
  /**
   * Channel kinds this callback authorizes. A name of another kind goes on to the next
   * pattern (and is denied with `no_matching_pattern` when none is left).
   * @default ['private', 'presence', 'encrypted']
   */
  kinds?: AuthorizableChannelKind[];
}

/** Metadata stored by `@ChannelAuth`. */
export interface ChannelAuthMetadata {
  pattern: string;
  options: ChannelAuthOptions;
  /** `@ChannelAuth(presenceChannel)`: the contract's member schema, checked on what is returned. */
  member?: unknown;
}

/** Body of a granted private / encrypted / presence authorization, as pusher-js expects it. */
export interface ChannelAuthResponse {
  /** `key:signature` */
  auth: string;
  /** Presence only: the JSON *string* `{"user_id":…,"user_info":…}` that was signed. */
  channel_data?: string;
  /** `private-encrypted-` only: base64 per-channel key pusher-js decrypts payloads with. */
  shared_secret?: string;
}

/** Body of a granted user authentication (`pusher:signin`). */
export interface UserAuthResponse {
  /** `key:signature` over `socket_id::user::user_data` */
  auth: string;
  /** The JSON *string* of the user data, with a string `id`. */
  user_data: string;
}

/** Input of {@link ChannelAuthorizer.authorizeChannel}. */
export interface ChannelAuthRequest<TUser = unknown> {
  /** The authenticated user, or `null`/`undefined` for a guest. */
  user: TUser | null | undefined;
  socketId: unknown;
  channelName: unknown;
}

/** Input of {@link ChannelAuthorizer.authenticateUser}. */
export interface UserAuthRequest<TUser = unknown> {
  user: TUser | null | undefined;
  socketId: unknown;
}
