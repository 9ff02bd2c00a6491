import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { resolveBroadcastConfig } from '../../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { SingleNodeAdapter } from '../cluster/single-node.adapter.js';
import { thisNodeOnlyTarget, startRedisScaling } from '../cluster/redis/start-redis-scaling.js';
import { ChannelInterestAdapter } from '../cluster/channel-interest.adapter.js';
import { attachLocalHub } from '../sources/local-hub.source.js';
import { RedisSource } from '../sources/redis.source.js';
import { PusherServerEngine } from '../engine/pusher-server-engine.js';
import { HttpApiRouter } from '../http-api/http-api-router.js';
import { resolveServerOptions } from '../options/resolve-server-options.js';
import type { ResolvedServerOptions } from '../options/resolved-server-options.interface.js';
import type { BroadcastServerOptions } from '../options/server-options.interface.js';
import { consoleLogger, type ServerLogger } from '../../shared/logger.js';

/** How long close() lets WebSockets finish their closing handshake before cutting them. */
export const CLOSE_GRACE_MS = 1000;

export interface RuntimeContext {
  /** The cascade's result; resolved from the config file and env when omitted. */
  config?: ResolvedBroadcastConfig;
  logger?: ServerLogger;
}

/**
 * Everything a running broadcast server is, apart from where it listens: the engine, the
 * HTTP API in front of it and the deliveries that feed it (local hub, Redis). Hosts (own
 * port, a Nest app's server, the bin) route requests and upgrades here and call close().
 */
export class BroadcastServerRuntime {
  private closing?: Promise<void>;
  private readonly sockets = new Set<Duplex>();

  private constructor(
    readonly options: ResolvedServerOptions,
    readonly engine: PusherServerEngine,
    private readonly api: HttpApiRouter,
    private readonly interest: ChannelInterestAdapter,
    private readonly detachHub: (() => void) | undefined,
    private readonly redis: RedisSource | undefined,
  ) {}

  static async create(
    options: BroadcastServerOptions = {},
    context: RuntimeContext = {},
  ): Promise<BroadcastServerRuntime> {
    const logger = context.logger ?? consoleLogger;
    const config = context.config ?? (await resolveBroadcastConfig({}));
    const resolved = resolveServerOptions(withRedisDefault(options, config), config);
    const scaling =
      resolved.scaling === 'redis' ? await startRedisScaling(resolved, config, logger) : undefined;
    const interest = new ChannelInterestAdapter(scaling ?? new SingleNodeAdapter());
    const engine = new PusherServerEngine(resolved, interest);
    // Hub and Redis messages carry no app id: they belong to the first (default) app.
    const deliveryAppId = resolved.apps[0].id;
    const detachHub = resolved.localHub
      ? attachLocalHub(resolved.localHub, engine, deliveryAppId, logger)
      : undefined;
    let redis: RedisSource | undefined;
    try {
      if (resolved.redis)
        redis = await RedisSource.start(scaling ? thisNodeOnlyTarget(interest) : engine, {
          ...resolved.redis,
          appId: deliveryAppId,
          interest,
          logger,
        });
    } catch (error) {
      detachHub?.();
      await engine.close();
      await interest.close();
      throw error;
    }
    return new BroadcastServerRuntime(
      resolved,
      engine,
      new HttpApiRouter(engine, { logger, health: scaling && (() => scaling.health()) }),
      interest,
      detachHub,
      redis,
    );
  }

  /**
   * Answers HTTP API and health requests; false for any other path. `knownAppsOnly` leaves
   * `/apps/{id}` of unknown ids to the host (a Nest app with routes of its own there).
   */
  handleRequest(req: IncomingMessage, res: ServerResponse, knownAppsOnly = false): boolean {
    return this.api.handle(req, res, knownAppsOnly);
  }

  /** Takes WebSocket upgrades on `/app/{key}`; false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.engine.handleUpgrade(req, socket, head)) return false;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return true;
  }

  /**
   * Stops the deliveries, closes every socket (4200) and waits until they are gone: at most
   * {@link CLOSE_GRACE_MS} for clients to finish the closing handshake, then they are cut,
   * so a host's HTTP server can close right after. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.detachHub?.();
      await this.redis?.close();
      await this.engine.close();
      await this.interest.close();
      await this.socketsGone();
    })();
    return this.closing;
  }

  private socketsGone(): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const grace = setTimeout(() => {
        for (const socket of this.sockets) socket.destroy();
      }, CLOSE_GRACE_MS);
      const check = () => {
        if (this.sockets.size > 0) return;
        clearTimeout(grace);
        resolve();
      };
      for (const socket of this.sockets) socket.once('close', () => queueMicrotask(check));
    });
  }
}

/**
 * `redis` left unset means "deliver from Redis when this app broadcasts over Redis": the
 * default connection is the redis driver, or a Redis URL was configured on purpose.
 */
function withRedisDefault(
  options: BroadcastServerOptions,
  config: ResolvedBroadcastConfig,
): BroadcastServerOptions {
  if (options.redis !== undefined) return options;
  const configured =
    config.sources['redis.url'] !== undefined && config.sources['redis.url'] !== 'default';
  return { ...options, redis: config.default === 'redis' || configured };
}
