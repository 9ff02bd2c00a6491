// The `nestjs-broadcasting/server` entry: the only one that imports `ws`.
export { BroadcastServerModule } from './hosting/broadcast-server.module.js';
export { BroadcastServer } from './hosting/broadcast-server.js';
export type {
  BroadcastServerModuleOptions,
  BroadcastServerModuleAsyncOptions,
} from './hosting/broadcast-server-module-options.interface.js';
export {
  startBroadcastServer,
  type BroadcastServerHandle,
  type StartBroadcastServerOptions,
} from './hosting/start-broadcast-server.js';
export type { LogFields, LogFormat, LogLevel, ServerLogger } from '../shared/logger.js';
// A type only: reached as `engine` on BroadcastServer / the startBroadcastServer handle,
// never constructed by users.
export type { PusherServerEngine } from './engine/pusher-server-engine.js';
export type {
  BroadcastServerOptions,
  ServerAppOptions,
  ServerRedisOptions,
  ServerAppLimits,
  ServerLogOptions,
  ServerTlsOptions,
  ServerWebhookDeliveryOptions,
  ServerWebhookOptions,
} from './options/server-options.interface.js';
export type { ServerMetricsOptions } from './metrics/metrics-options.interface.js';
export type {
  ResolvedAppOptions,
  ResolvedServerOptions,
} from './options/resolved-server-options.interface.js';
export { CloseCode } from './protocol/close-codes.js';
export type {
  PrometheusRegistry,
  ServerMetricsOption,
  ServerMetricsRegistryOptions,
} from './metrics/metrics-registry-options.interface.js';
export type {
  BroadcastServerHealth,
  RedisConnectionState,
} from './hosting/broadcast-server-health.interface.js';
