import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { resolveBroadcastConfig } from '../../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { SingleNodeAdapter } from '../cluster/single-node.adapter.js';
import type { RedisScalingAdapter } from '../cluster/redis/redis-scaling.adapter.js';
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
import type { ServerMetricsOption } from '../metrics/metrics-registry-options.interface.js';
import type { RedisLinkState } from '../metrics/prometheus-server-metrics.js';
import { isRegistryOption } from '../metrics/resolve-metrics-options.js';
import { startServerMetrics, type RunningMetrics } from '../metrics/start-server-metrics.js';
import type { BroadcastServerHealth } from './broadcast-server-health.interface.js';

/** How long close() lets WebSockets finish their closing handshake before cutting them. */
export const CLOSE_GRACE_MS = 1000;

export interface RuntimeContext {
  /** The cascade's result; resolved from the config file and env when omitted. */
  config?: ResolvedBroadcastConfig;
  logger?: ServerLogger;
}

/** Server options as hosts take them in code, where `metrics` may name an app's registry. */
export type RuntimeOptions = Omit<BroadcastServerOptions, 'metrics'> & {
  metrics?: ServerMetricsOption;
};

interface RuntimeParts {
  options: ResolvedServerOptions;
  engine: PusherServerEngine;
  api: HttpApiRouter;
  interest: ChannelInterestAdapter;
  scaling?: RedisScalingAdapter;
  detachHub?: () => void;
  redis?: RedisSource;
  metrics?: RunningMetrics;
}

/**
 * Everything a running broadcast server is, apart from where it listens: the engine, the
 * HTTP API in front of it, the deliveries that feed it (local hub, Redis) and its metrics.
 * Hosts (own port, a Nest app's server, the bin) route requests and upgrades here and call
 * close().
 */
export class BroadcastServerRuntime {
  readonly options: ResolvedServerOptions;
  readonly engine: PusherServerEngine;
  private closing?: Promise<void>;
  private readonly sockets = new Set<Duplex>();

  private constructor(private readonly parts: RuntimeParts) {
    this.options = parts.options;
    this.engine = parts.engine;
  }

  static async create(
    options: RuntimeOptions = {},
    context: RuntimeContext = {},
  ): Promise<BroadcastServerRuntime> {
    const logger = context.logger ?? consoleLogger;
    const config = context.config ?? (await resolveBroadcastConfig({}));
    // A registry given in code replaces the cascade's metrics port: the app serves it.
    const { metrics: metricsOption, ...rest } = options;
    const shared = isRegistryOption(metricsOption) ? metricsOption : undefined;
    const serverOptions: BroadcastServerOptions = {
      ...rest,
      metrics: isRegistryOption(metricsOption) ? false : metricsOption,
    };
    const resolved = resolveServerOptions(withRedisDefault(serverOptions, config), config);
    // First, so a missing prom-client or a busy metrics port fails before Redis is touched.
    const metrics = await startServerMetrics(resolved.metrics, shared, logger);
    let scaling: RedisScalingAdapter | undefined;
    try {
      if (resolved.scaling === 'redis') scaling = await startRedisScaling(resolved, config, logger);
    } catch (error) {
      await metrics?.close();
      throw error;
    }
    const interest = new ChannelInterestAdapter(scaling ?? new SingleNodeAdapter());
    const engine = new PusherServerEngine(resolved, interest, metrics?.metrics);
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
      await metrics?.close();
      throw error;
    }
    const api = new HttpApiRouter(engine, {
      logger,
      health: scaling && (() => scaling.health()),
      metrics: metrics?.metrics,
    });
    const runtime = new BroadcastServerRuntime({
      options: resolved,
      engine,
      api,
      interest,
      scaling,
      detachHub,
      redis,
      metrics,
    });
    metrics?.watchRedis(() => runtime.redisLinks());
    return runtime;
  }

  /** The metrics endpoint, when the metrics have a port of their own. */
  get metricsUrl(): string | undefined {
    return this.parts.metrics?.url;
  }

  /** The Redis connections in use and whether each is up; for health checks. */
  health(): BroadcastServerHealth {
    const redis: BroadcastServerHealth['redis'] = {};
    for (const link of this.redisLinks())
      redis[link.connection] = link.up ? 'connected' : 'disconnected';
    return { up: Object.values(redis).every((state) => state === 'connected'), redis };
  }

  /**
   * Answers HTTP API and health requests; false for any other path. `knownAppsOnly` leaves
   * `/apps/{id}` of unknown ids to the host (a Nest app with routes of its own there).
   */
  handleRequest(req: IncomingMessage, res: ServerResponse, knownAppsOnly = false): boolean {
    return this.parts.api.handle(req, res, knownAppsOnly);
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
      const { detachHub, redis, engine, interest, metrics } = this.parts;
      detachHub?.();
      await redis?.close();
      await engine.close();
      await interest.close();
      await this.socketsGone();
      await metrics?.close();
    })();
    return this.closing;
  }

  private redisLinks(): RedisLinkState[] {
    const { scaling, redis } = this.parts;
    const links: RedisLinkState[] = [];
    if (scaling) links.push({ connection: 'scaling', up: scaling.redisUp });
    if (redis) links.push({ connection: 'delivery', up: redis.connected });
    return links;
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
function withRedisDefault<T extends Pick<BroadcastServerOptions, 'redis'>>(
  options: T,
  config: ResolvedBroadcastConfig,
): T {
  if (options.redis !== undefined) return options;
  const configured =
    config.sources['redis.url'] !== undefined && config.sources['redis.url'] !== 'default';
  return { ...options, redis: config.default === 'redis' || configured };
}
