import type { LocalBroadcastHub } from '../../drivers/local-hub.js';
import type { ConfigSource } from '../../errors/broadcast.exception.js';
import type { ResolvedMetricsOptions } from '../metrics/resolve-metrics-options.js';
import type {
  ServerAppLimits,
  ServerAppOptions,
  ServerLogOptions,
  ServerTlsOptions,
  ServerWebhookDeliveryOptions,
} from './server-options.interface.js';

/** An app with every default filled in; what the engine and the HTTP API read. */
export interface ResolvedAppOptions extends Required<Omit<ServerAppOptions, 'limits' | 'redis'>> {
  limits: Required<ServerAppLimits>;
  /** `allowedOrigins` contains `*`: skip the origin check. */
  anyOrigin: boolean;
  /** The Redis prefix this app's Redis broadcasts arrive under; undefined: it gets none. */
  redisPrefix?: string;
}

/** Server options after defaults and the configuration cascade. */
export interface ResolvedServerOptions {
  apps: ResolvedAppOptions[];
  host: string;
  port: number;
  /** Where `host` and `port` came from, so a failed listen can say what to change. */
  listenOrigin: { host: ConfigSource; port: ConfigSource };
  /** Seconds. */
  activityTimeout: number;
  /** Seconds. */
  pongTimeout: number;
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  localHub: LocalBroadcastHub | false;
  redis: false | { url: string; prefix: string; cluster?: string[]; sharded?: boolean };
  scaling?: 'redis';
  /** `false`: no metrics endpoint. */
  metrics: ResolvedMetricsOptions;
  log: Required<ServerLogOptions>;
  /** Undefined: plain `ws://` and `http://`. `source` says where the paths came from. */
  tls?: ServerTlsOptions & { source: ConfigSource };
  /** Seconds. */
  shutdownGraceSeconds: number;
  webhooks: Required<ServerWebhookDeliveryOptions>;
}
