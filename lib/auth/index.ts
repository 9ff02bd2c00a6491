export type { BroadcastAuthOptions, BroadcastAuthRequest } from './auth-options.interface.js';
export type {
  AuthorizableChannelKind,
  ChannelAuthCallback,
  ChannelAuthOptions,
  ChannelAuthParams,
  ChannelAuthRequest,
  ChannelAuthResponse,
  ChannelAuthResult,
  UserAuthRequest,
  UserAuthResponse,
} from './channel-auth.interface.js';
export {
  ChannelAuthRegistry,
  type ChannelAuthEntry,
  type ChannelAuthMatch,
} from './channel-auth.registry.js';
export { ChannelAuthorizer } from './channel-authorizer.js';
export { encryptedChannelSharedSecret } from './encrypted-channel-secret.js';
