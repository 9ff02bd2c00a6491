import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { Server } from 'node:http';
import { BROADCAST_CONFIG } from '../../constants.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import type { PusherServerEngine } from '../engine/pusher-server-engine.js';
import { attachToHttpServer } from './attach-to-http-server.js';
import type { BroadcastServerHealth } from './broadcast-server-health.interface.js';
import type { BroadcastServerModuleOptions } from './broadcast-server-module-options.interface.js';
import { BROADCAST_SERVER_MODULE_OPTIONS } from './broadcast-server.constants.js';
import { BroadcastServerRuntime } from './broadcast-server-runtime.js';
import { listenOwnHttpServer, type OwnHttpServer } from './own-http-server.js';
import {
  silentLogger,
  streamLogger,
  type LogFormat,
  type ServerLogger,
} from '../../shared/logger.js';
import { BroadcastConfigError } from '../../errors/broadcast.exception.js';
import { readTlsCredentials } from './tls-credentials.js';
import { HostingMessages } from './hosting-messages.js';
import { findEventEmitter } from '../../events/find-event-emitter.js';
import { bridgeServerEvents } from './server-events.bridge.js';

/**
 * The broadcast server inside a Nest app. Starts when the module initializes (on the app's
 * HTTP server, or on its own `port`) and closes every socket before the app's HTTP server
 * shuts down. Inject it to reach the engine or the address.
 */
@Injectable()
export class BroadcastServer implements OnModuleInit, BeforeApplicationShutdown {
  private runtime?: BroadcastServerRuntime;
  private own?: OwnHttpServer;
  private detach?: () => void;
  private unbridge?: () => void;

  constructor(
    @Inject(BROADCAST_SERVER_MODULE_OPTIONS) private readonly options: BroadcastServerModuleOptions,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() @Inject(BROADCAST_CONFIG) private readonly config?: ResolvedBroadcastConfig,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {}

  /** The protocol engine: `engine.publish(appId, channels, event, data)` and the channel queries. */
  get engine(): PusherServerEngine {
    if (!this.runtime) throw new Error(HostingMessages.notStarted());
    return this.runtime.engine;
  }

  /** `http://host:port` when the server has its own port; undefined when it shares the app's. */
  get url(): string | undefined {
    return this.own?.url;
  }

  /** The Prometheus endpoint when the metrics have a port of their own (`metrics: { port }`). */
  get metricsUrl(): string | undefined {
    return this.runtime?.metricsUrl;
  }

  /**
   * The state of the Redis connections the server uses, for health checks (see
   * `BroadcastHealthIndicator` in `nestjs-broadcasting/health`).
   */
  health(): BroadcastServerHealth {
    if (!this.runtime) throw new Error(HostingMessages.notStarted());
    return this.runtime.health();
  }

  async onModuleInit(): Promise<void> {
    const { logger: given, ...serverOptions } = this.options;
    this.runtime = await BroadcastServerRuntime.create(serverOptions, {
      config: this.config,
      logger:
        given === false
          ? silentLogger
          : given instanceof Logger
            ? withoutFields(given)
            : (given ?? defaultModuleLogger),
    });
    const runtime = this.runtime;
    // Before any socket: `broadcasting.*` events on EventEmitter2, when the app has one.
    const emitter = this.moduleRef && (await findEventEmitter(this.moduleRef));
    if (emitter) this.unbridge = bridgeServerEvents(runtime.engine.events, emitter, runtime.logger);
    const appServer = this.options.port === undefined ? this.appHttpServer() : undefined;
    try {
      const apps = runtime.options.apps.map(({ id, key }) => ({ id, key }));
      if (appServer) {
        if (runtime.options.tls)
          throw new BroadcastConfigError(
            HostingMessages.tlsWhenAttached(),
            'server.tls.cert',
            runtime.options.tls.source,
          );
        this.detach = attachToHttpServer(appServer, runtime);
        runtime.announce(HostingMessages.attachedToApp(), { apps });
      } else {
        const { host, port, listenOrigin, tls } = runtime.options;
        const credentials = tls && (await readTlsCredentials(tls));
        this.own = await listenOwnHttpServer(runtime, host, port, listenOrigin, credentials);
        runtime.announce(HostingMessages.listening(this.own.url, apps), {
          url: this.own.url,
          apps,
        });
      }
    } catch (error) {
      await runtime.close();
      throw error;
    }
  }

  /**
   * Stops taking connections, closes every socket (4200) within `shutdownGraceSeconds`,
   * then lets the app's HTTP server shut down (or closes its own).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.own?.stopAccepting();
    await this.runtime?.close();
    this.unbridge?.();
    this.detach?.();
    await this.own?.close();
  }

  private appHttpServer(): Server | undefined {
    try {
      return this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
    } catch {
      return undefined; // an application context without HTTP
    }
  }
}

/**
 * Nest's Logger (context `BroadcastServer`) for the text format, so the server's lines look
 * like the app's; with `log.format: 'json'` the server's own JSON lines instead. Nest's
 * Logger takes no fields: the messages say the same in words.
 */
function defaultModuleLogger(format: LogFormat): ServerLogger {
  return format === 'json' ? streamLogger('json') : withoutFields(new Logger('BroadcastServer'));
}

/** A Nest Logger would print fields as extra messages (or take a string as its context). */
function withoutFields(nest: Logger): ServerLogger {
  return {
    log: (message) => nest.log(message),
    warn: (message) => nest.warn(message),
    error: (message) => nest.error(message),
    debug: (message) => nest.debug(message),
  };
}
