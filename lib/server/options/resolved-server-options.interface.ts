import type { LocalBroadcastHub } from '../../broadcasters/local-hub.js';
import type { ServerAppLimits, ServerAppOptions } from './server-options.interface.js';

/** An app with every default filled in; what the engine and the HTTP API read. */
export interface ResolvedAppOptions extends Required<Omit<ServerAppOptions, 'limits'>> {
  limits: Required<ServerAppLimits>;
  /** `allowedOrigins` contains `*`: skip the origin check. */
  anyOrigin: boolean;
}

/** Server options after defaults and the configuration cascade. */
export interface ResolvedServerOptions {
  apps: ResolvedAppOptions[];
  host: string;
  port: number;
  /** Seconds. */
  activityTimeout: number;
  /** Seconds. */
  pongTimeout: number;
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  localHub: LocalBroadcastHub | false;
  redis: false | { url: string; prefix: string };
  scaling?: 'redis';
}
