import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import type { PusherServerEngine } from '../engine/pusher-server-engine.js';
import type { ResolvedServerOptions } from '../options/resolved-server-options.interface.js';
import type { ServerMetricsOption } from '../metrics/metrics-registry-options.interface.js';
import type { BroadcastServerOptions } from '../options/server-options.interface.js';
import { BroadcastServerRuntime } from './broadcast-server-runtime.js';
import { HostingMessages } from './hosting-messages.js';
import { listenOwnHttpServer, type OwnHttpServer } from './own-http-server.js';
import { readTlsCredentials } from './tls-credentials.js';
import { silentLogger, type ServerLogger } from '../../shared/logger.js';

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
   * Where the server logs (the listening line, cluster and Redis changes, shutdown, and at
   * `log.level: 'debug'` every connection and subscription), filtered by `log.level`.
   * `false` logs nothing.
   * @default stdout and stderr, in `log.format`
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
  /**
   * `http://host:port` (`https://` with `tls`): the HTTP API base; WebSockets at
   * `ws://host:port/app/{key}` (`wss://`).
   */
  url: string;
  /** The Prometheus endpoint (`http://127.0.0.1:9601/metrics`) when metrics have their own port. */
  metricsUrl?: string;
  /** The protocol engine, for in-process publishing (`engine.publish(...)`) and queries. */
  engine: PusherServerEngine;
  /** The options in force, after the cascade (apps, limits, log, shutdown grace, ...). */
  options: ResolvedServerOptions;
  /** The logger the server reports to, already filtered by `log.level`. */
  logger: ServerLogger;
  /**
   * Stops taking connections, closes every socket (4200) and the HTTP server, within
   * `shutdownGraceSeconds`. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts the broadcast server on its own port, without a Nest app. Options not given come
 * from the cascade: config file (its `server` object), then BROADCASTING_* env (apps from
 * BROADCASTING_APP_ID / _KEY / _SECRET, host and port from BROADCASTING_SERVER_HOST /
 * _PORT, ...), then defaults.
 */
export async function startBroadcastServer(
  options: StartBroadcastServerOptions = {},
): Promise<BroadcastServerHandle> {
  const { logger: given, config, ...serverOptions } = options;
  const runtime = await BroadcastServerRuntime.create(serverOptions, {
    config,
    logger: given === false ? silentLogger : given,
  });
  let http: OwnHttpServer;
  try {
    const { host, port, listenOrigin, tls } = runtime.options;
    const credentials = tls && (await readTlsCredentials(tls));
    http = await listenOwnHttpServer(runtime, host, port, listenOrigin, credentials);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const apps = runtime.options.apps.map(({ id, key }) => ({ id, key }));
  runtime.announce(HostingMessages.listening(http.url, apps), { url: http.url, apps });
  if (runtime.metricsUrl)
    runtime.logger.log(HostingMessages.serveMetrics(runtime.metricsUrl), {
      metricsUrl: runtime.metricsUrl,
    });
  let closing: Promise<void> | undefined;
  return {
    port: http.port,
    host: http.host,
    url: http.url,
    metricsUrl: runtime.metricsUrl,
    engine: runtime.engine,
    options: runtime.options,
    logger: runtime.logger,
    close: () =>
      (closing ??= (async () => {
        http.stopAccepting();
        await runtime.close();
        await http.close();
      })()),
  };
}
