import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import type { PusherServerEngine } from '../engine/pusher-server-engine.js';
import type { ServerMetricsOption } from '../metrics/metrics-registry-options.interface.js';
import type { BroadcastServerOptions } from '../options/server-options.interface.js';
import { BroadcastServerRuntime } from './broadcast-server-runtime.js';
import { HostingMessages } from './hosting-messages.js';
import { listenOwnHttpServer } from './own-http-server.js';
import { consoleLogger, silentLogger, type ServerLogger } from '../../shared/logger.js';

/** Options of {@link startBroadcastServer}: the server's options plus how it reports. */
export interface StartBroadcastServerOptions extends Omit<BroadcastServerOptions, 'metrics'> {
  /**
   * Prometheus metrics: `{ port }` serves them on a port of their own, `{ registry }`
   * registers them into a prom-client Registry you serve; `false` keeps them off whatever
   * the config file says. Needs the optional peer `prom-client`.
   * @default off, unless the config file's `server.metrics.port` or BROADCASTING_METRICS_PORT sets a port
   */
  metrics?: ServerMetricsOption;
  /**
   * Where the server logs (the listening line, dropped Redis messages, failures). `false` logs nothing.
   * @default the console
   */
  logger?: ServerLogger | false;
  /**
   * The configuration cascade's result, if you already have it.
   * @default resolved from the config file and BROADCASTING_* env
   */
  config?: ResolvedBroadcastConfig;
}

/** A running standalone broadcast server. */
export interface BroadcastServerHandle {
  /** The port it listens on (the real one when `port: 0` was asked). */
  port: number;
  /** The address it listens on. */
  host: string;
  /** `http://host:port`: the HTTP API base; WebSockets at `ws://host:port/app/{key}`. */
  url: string;
  /** The Prometheus endpoint (`http://127.0.0.1:9601/metrics`) when metrics have their own port. */
  metricsUrl?: string;
  /** The protocol engine, for in-process publishing (`engine.publish(...)`) and queries. */
  engine: PusherServerEngine;
  /** Stops the deliveries, closes every socket (4200) and the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the broadcast server on its own port, without a Nest app. Options not given come
 * from the cascade: config file, then BROADCASTING_* env (apps from BROADCASTING_APP_ID /
 * _KEY / _SECRET, host and port from BROADCASTING_SERVER_HOST / _PORT), then defaults.
 */
export async function startBroadcastServer(
  options: StartBroadcastServerOptions = {},
): Promise<BroadcastServerHandle> {
  const { logger: given, config, ...serverOptions } = options;
  const logger = given === false ? silentLogger : (given ?? consoleLogger);
  const runtime = await BroadcastServerRuntime.create(serverOptions, { config, logger });
  let http;
  try {
    const { host, port, listenOrigin } = runtime.options;
    http = await listenOwnHttpServer(runtime, host, port, listenOrigin);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  logger.log(HostingMessages.listeningStandalone(http.url));
  let closing: Promise<void> | undefined;
  return {
    port: http.port,
    host: http.host,
    url: http.url,
    metricsUrl: runtime.metricsUrl,
    engine: runtime.engine,
    close: () =>
      (closing ??= (async () => {
        await runtime.close();
        await http.close();
      })()),
  };
}
