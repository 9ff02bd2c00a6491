import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { resolveBroadcastConfig } from '../../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { SingleNodeAdapter } from '../cluster/single-node.adapter.js';
import { settleWithin } from '../cluster/settle-within.js';
import { thisNodeOnlyTarget, startRedisScaling } from '../cluster/redis/start-redis-scaling.js';
import { ChannelInterestAdapter } from '../cluster/channel-interest.adapter.js';
import { attachLocalHub } from '../sources/local-hub.source.js';
import { RedisSource } from '../sources/redis.source.js';
import { PusherServerEngine } from '../engine/pusher-server-engine.js';
import { HttpApiRouter } from '../http-api/http-api-router.js';
import { resolveServerOptions } from '../options/resolve-server-options.js';
import type { ResolvedServerOptions } from '../options/resolved-server-options.interface.js';
import type { BroadcastServerOptions } from '../options/server-options.interface.js';
import {
  leveledLogger,
  streamLogger,
  type LogFormat,
  type ServerLogger,
} from '../../shared/logger.js';
import { HostingMessages } from './hosting-messages.js';

export interface RuntimeContext {
  /** The cascade's result; resolved from the config file and env when omitted. */
  config?: ResolvedBroadcastConfig;
  /**
   * Where to log, filtered by the resolved `log.level`: a logger, or a function that makes
   * one for the resolved `log.format`.
   * @default stdout / stderr in `log.format`
   */
  logger?: ServerLogger | ((format: LogFormat) => ServerLogger);
}

/**
 * Everything a running broadcast server is, apart from where it listens: the engine, the
 * HTTP API in front of it and the deliveries that feed it (local hub, Redis). Hosts (own
 * port, a Nest app's server, the bin) route requests and upgrades here and call close().
 */
export class BroadcastServerRuntime {
  private closing?: Promise<void>;
  private readonly sockets = new Set<Duplex>();
  /** A host announced it serves: from then on, close() is a shutdown worth logging. */
  private serving = false;

  private constructor(
    readonly options: ResolvedServerOptions,
    readonly engine: PusherServerEngine,
    /** The leveled logger every part of this server reports to. */
    readonly logger: ServerLogger,
    private readonly api: HttpApiRouter,
    private readonly interest: ChannelInterestAdapter,
    private readonly detachHub: (() => void) | undefined,
    private readonly redis: RedisSource | undefined,
  ) {}

  static async create(
    options: BroadcastServerOptions = {},
    context: RuntimeContext = {},
  ): Promise<BroadcastServerRuntime> {
    const config = context.config ?? (await resolveBroadcastConfig({}));
    const resolved = resolveServerOptions(withRedisDefault(options, config), config);
    const given = context.logger;
    const sink =
      typeof given === 'function'
        ? given(resolved.log.format)
        : (given ?? streamLogger(resolved.log.format));
    const logger = leveledLogger(sink, resolved.log.level);
    const scaling =
      resolved.scaling === 'redis' ? await startRedisScaling(resolved, config, logger) : undefined;
    const interest = new ChannelInterestAdapter(scaling ?? new SingleNodeAdapter());
    const engine = new PusherServerEngine(resolved, interest, logger);
    // Hub messages name their app, or go to the first; Redis ones are told apart by prefix.
    const appIds = resolved.apps.map((app) => app.id);
    const detachHub = resolved.localHub
      ? attachLocalHub(resolved.localHub, engine, appIds, logger)
      : undefined;
    let redis: RedisSource | undefined;
    try {
      if (resolved.redis)
        redis = await RedisSource.start(scaling ? thisNodeOnlyTarget(interest) : engine, {
          url: resolved.redis.url,
          apps: resolved.apps.flatMap((app) =>
            app.redisPrefix === undefined ? [] : [{ id: app.id, prefix: app.redisPrefix }],
          ),
          interest,
          logger,
        });
    } catch (error) {
      detachHub?.();
      await engine.close();
      await interest.close();
      throw error;
    }
    let runtime: BroadcastServerRuntime | undefined;
    const api = new HttpApiRouter(engine, {
      logger,
      health: () =>
        runtime?.closing ? { status: 'stopping' } : (scaling?.health() ?? { status: 'ok' }),
    });
    runtime = new BroadcastServerRuntime(resolved, engine, logger, api, interest, detachHub, redis);
    return runtime;
  }

  /**
   * Answers HTTP API and health requests; false for any other path. `knownAppsOnly` leaves
   * `/apps/{id}` of unknown ids to the host (a Nest app with routes of its own there).
   */
  handleRequest(req: IncomingMessage, res: ServerResponse, knownAppsOnly = false): boolean {
    return this.api.handle(req, res, knownAppsOnly);
  }

  /** The host listens (or is attached): logs where, at info. */
  announce(message: string, fields?: Record<string, unknown>): void {
    this.serving = true;
    this.logger.log(message, fields);
  }

  /** Takes WebSocket upgrades on `/app/{key}`; false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.engine.handleUpgrade(req, socket, head)) return false;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return true;
  }

  /**
   * Stops the deliveries, closes every socket with 4200 (clients reconnect at once,
   * elsewhere), leaves the cluster and waits until the sockets are gone, all within
   * `shutdownGraceSeconds`: what is still open then is cut, so the host's HTTP server can
   * close right after. `GET /up` answers 503 meanwhile. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const { shutdownGraceSeconds } = this.options;
      const deadline = Date.now() + shutdownGraceSeconds * 1000;
      const left = () => Math.max(0, deadline - Date.now());
      const connections = this.engine.localConnections;
      // A start that failed half-way closes too; it was never up, so it says nothing.
      const log = this.serving ? this.logger.log.bind(this.logger) : () => {};
      log(HostingMessages.stopping(connections, shutdownGraceSeconds), {
        connections,
        graceSeconds: shutdownGraceSeconds,
      });
      this.detachHub?.();
      // A Redis that hangs must not hold the shutdown past its grace.
      if (this.redis) await settleWithin(this.redis.close(), left());
      await this.engine.close();
      await settleWithin(this.interest.close(), left());
      const cut = await this.socketsGone(deadline);
      log(HostingMessages.stopped(cut, shutdownGraceSeconds), { cut });
    })();
    return this.closing;
  }

  /** Resolves once every socket has closed, cutting those still open at `deadline`; returns how many were cut. */
  private socketsGone(deadline: number): Promise<number> {
    if (this.sockets.size === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      let cut = 0;
      const grace = setTimeout(
        () => {
          cut = this.sockets.size;
          for (const socket of this.sockets) socket.destroy();
        },
        Math.max(0, deadline - Date.now()),
      );
      const check = () => {
        if (this.sockets.size > 0) return;
        clearTimeout(grace);
        resolve(cut);
      };
      for (const socket of this.sockets) socket.once('close', () => queueMicrotask(check));
    });
  }
}

/**
 * `redis` left unset (in the options and the config file's `server`) means "deliver from
 * Redis when this app broadcasts over Redis": the default connection is the redis driver,
 * or a Redis URL was configured on purpose.
 */
function withRedisDefault(
  options: BroadcastServerOptions,
  config: ResolvedBroadcastConfig,
): BroadcastServerOptions {
  if (options.redis !== undefined || config.server.fromFile.redis !== undefined) return options;
  const configured =
    config.sources['redis.url'] !== undefined && config.sources['redis.url'] !== 'default';
  return { ...options, redis: config.default === 'redis' || configured };
}
