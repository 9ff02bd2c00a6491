// Public API of `nestjs-broadcasting`, listed name by name. Internal helpers stay
// unexported; the two injection tokens and the default hub are public because custom
// providers and an embedded server reach them (see docs/events.md and docs/server.md).
export { BroadcastModule } from './broadcast.module.js';
export { BroadcastManager } from './core/broadcast-manager.js';
export type { BroadcastEventOptions } from './core/dispatch.interface.js';
export type {
  BroadcastMessage,
  ContractSendOptions,
  PendingBroadcast,
} from './core/direct-broadcast.interface.js';
export { Broadcast } from './core/broadcast.facade.js';
export {
  Broadcastable,
  type BroadcastableOptions,
  type BroadcastsContract,
} from './events/broadcastable.decorator.js';
export type { ShouldBroadcast } from './events/should-broadcast.interface.js';
export {
  Channel,
  EncryptedPrivateChannel,
  PresenceChannel,
  PrivateChannel,
  type ChannelLike,
} from './core/channel.js';
export type {
  Broadcaster,
  BroadcastSendOptions,
  PreparedBroadcast,
} from './drivers/broadcaster.interface.js';
export type {
  BroadcastConnectionOptions,
  CustomConnectionOptions,
  LocalConnectionOptions,
  LogConnectionOptions,
  PusherConnectionOptions,
  RedisConnectionOptions,
} from './drivers/connection-options.interface.js';
export type { BuiltinDriverName } from './drivers/driver-registry.js';
export {
  LocalBroadcastHub,
  defaultLocalHub,
  type HubListener,
  type HubMessage,
} from './drivers/local-hub.js';
export * from './errors/index.js';
export type {
  BroadcasterFactory,
  BroadcastErrorContext,
  BroadcastModuleAsyncOptions,
  BroadcastModuleOptions,
  BroadcastRedisOptions,
  BroadcastOptionsFactory,
} from './config/broadcast-options.interface.js';
export { resolveBroadcastConfig, type ResolveConfigContext } from './config/resolve-config.js';
export type { ResolvedBroadcastConfig } from './config/resolved-config.interface.js';
export { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from './constants.js';
// Channel authorization (lib/auth): @ChannelAuth and what its callbacks see.
export {
  ChannelAuth,
  type AuthorizableChannelContract,
  type ContractAuthMethod,
  type ContractAuthResult,
} from './auth/channel-auth.decorator.js';
export type { BroadcastAuthOptions, BroadcastAuthRequest } from './auth/auth-options.interface.js';
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
} from './auth/channel-auth.interface.js';
// The registry: `register()` adds patterns without the decorator (docs/authorization.md).
export { ChannelAuthRegistry } from './auth/channel-auth.registry.js';
export { ChannelAuthorizer } from './auth/channel-authorizer.js';
// Webhooks and server events (lib/webhooks): the typed payloads emitted on EventEmitter2 as
// `broadcasting.<name>` by BroadcastServerModule and BroadcastWebhookModule.
export {
  BROADCASTING_EVENT_PREFIX,
  CacheMiss,
  ChannelOccupied,
  ChannelVacated,
  ClientEvent,
  MemberAdded,
  MemberRemoved,
  SubscriptionCount,
  type AnyBroadcastingEvent,
} from './webhooks/broadcasting-events.js';
export {
  WEBHOOK_EVENT_NAMES,
  type WebhookBody,
  type WebhookEvent,
  type WebhookEventName,
} from './webhooks/webhook-event.js';
// The webhook endpoint for apps that do not host the server.
export { BroadcastWebhookModule } from './webhooks/broadcast-webhook.module.js';
export type {
  BroadcastWebhookModuleOptions,
  WebhookApp,
} from './webhooks/broadcast-webhook-options.interface.js';
// Queued broadcasts (lib/queue) and after-commit (lib/transactions): docs/queues.md.
export type {
  BroadcastQueueBackoff,
  BroadcastQueueConnection,
  BroadcastQueueOptions,
} from './queue/queue-options.interface.js';
export type { BroadcastJobData } from './queue/broadcast-job.js';
export type { BroadcastTransactionHooks } from './transactions/transaction-hooks.interface.js';
export {
  TypeOrmTransactionHooks,
  type TypeOrmDataSourceLike,
} from './transactions/typeorm-transaction.hooks.js';
