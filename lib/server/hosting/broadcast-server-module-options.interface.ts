import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import type { BroadcastServerOptions } from '../options/server-options.interface.js';
import type { ServerLogger } from '../../shared/logger.js';

/**
 * Options of `BroadcastServerModule.forRoot()`. Without `port` the server shares the Nest
 * app's HTTP server (WebSocket `/app/{key}`, HTTP API `/apps/{id}/...` and `/up` on the app's
 * port); with `port` it listens on a port of its own. Options not given come from the
 * cascade (BroadcastModule options when that module is imported, config file, env).
 */
export interface BroadcastServerModuleOptions extends BroadcastServerOptions {
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
