import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import type { ServerMetricsOption } from '../metrics/metrics-registry-options.interface.js';
import type { BroadcastServerOptions } from '../options/server-options.interface.js';
import type { ServerLogger } from '../../shared/logger.js';

/**
 * Options of `BroadcastServerModule.forRoot()`. Without `port` the server shares the Nest
 * app's HTTP server (WebSocket `/app/{key}`, HTTP API `/apps/{id}/...` and `/up` on the app's
 * port); with `port` it listens on a port of its own. Options not given come from the
 * cascade (BroadcastModule options when that module is imported, config file, env).
 */
export interface BroadcastServerModuleOptions extends Omit<BroadcastServerOptions, 'metrics'> {
  /**
   * Prometheus metrics. `{ port: 9601 }` serves `/metrics` on a port of its own (never the
   * app's); `{ registry }` registers the server's metrics into a prom-client Registry the app
   * already serves (prom-client's global `register` for `@willsoto/nestjs-prometheus`).
   * `false` keeps them off whatever the config file says. Needs the optional peer `prom-client`.
   * @default off, unless the config file's `server.metrics.port` or BROADCASTING_METRICS_PORT sets a port
   */
  metrics?: ServerMetricsOption;
  /**
   * Where the server logs, filtered by `log.level`. A Nest `Logger` given here gets the
   * messages only (their fields would print as extra lines); other loggers get the fields
   * as a second argument. `false` logs nothing.
   * @default Nest's Logger with the context 'BroadcastServer'; JSON lines on stdout / stderr
   * with `log.format: 'json'`
   */
  logger?: ServerLogger | false;
}

/** Options of `BroadcastServerModule.forRootAsync()`. */
export interface BroadcastServerModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (
    ...args: any[]
  ) => BroadcastServerModuleOptions | Promise<BroadcastServerModuleOptions>;
  /** @default [] */
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
}
