import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { resolveBroadcastConfig } from '../../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../../config/resolved-config.interface.js';
import { SingleNodeAdapter } from '../cluster/single-node.adapter.js';
import { settleWithin } from '../cluster/settle-within.js';
import type { RedisScalingAdapter } from '../cluster/redis/redis-scaling.adapter.js';
import { thisNodeOnlyTarget, startRedisScaling } from '../cluster/redis/start-redis-scaling.js';
import { ChannelInterestAdapter } from '../cluster/channel-interest.adapter.js';
import { inMachineLink } from '../cluster/ipc/ipc-link.adapter.js';
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
import type { ServerMetricsOption } from '../metrics/metrics-registry-options.interface.js';
import type { RedisLinkState } from '../metrics/prometheus-server-metrics.js';
import { isRegistryOption } from '../metrics/resolve-metrics-options.js';
import { startServerMetrics, type RunningMetrics } from '../metrics/start-server-metrics.js';
import type { BroadcastServerHealth } from './broadcast-server-health.interface.js';
import { NO_METRICS } from '../metrics/no-metrics.js';
import { RedisWebhookStore } from '../webhooks/redis-webhook-store.js';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js';

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

/** Server options as hosts take them in code, where `metrics` may name an app's registry. */
export type RuntimeOptions = Omit<BroadcastServerOptions, 'metrics'> & {
  metrics?: ServerMetricsOption;
};

interface RuntimeParts {
  options: ResolvedServerOptions;
  engine: PusherServerEngine;
  logger: ServerLogger;
  api: HttpApiRouter;
  interest: ChannelInterestAdapter;
  scaling?: RedisScalingAdapter;
  detachHub?: () => void;
  redis?: RedisSource;
  metrics?: RunningMetrics;
  webhooks?: WebhookDispatcher;
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
  /** The leveled logger every part of this server reports to. */
  readonly logger: ServerLogger;
  private closing?: Promise<void>;
  private readonly sockets = new Set<Duplex>();
  /** A host announced it serves: from then on, close() is a shutdown worth logging. */
  private serving = false;

  private constructor(private readonly parts: RuntimeParts) {
    this.options = parts.options;
    this.engine = parts.engine;
    this.logger = parts.logger;
  }

  static async create(
    options: RuntimeOptions = {},
    context: RuntimeContext = {},
  ): Promise<BroadcastServerRuntime> {
    const config = context.config ?? (await resolveBroadcastConfig({}));
    // A registry given in code replaces the cascade's metrics port: the app serves it.
    const { metrics: metricsOption, ...rest } = options;
    const shared = isRegistryOption(metricsOption) ? metricsOption : undefined;
    const serverOptions: BroadcastServerOptions = {
      ...rest,
      metrics: isRegistryOption(metricsOption) ? false : metricsOption,
    };
    const resolved = resolveServerOptions(withRedisDefault(serverOptions, config), config);
    const given = context.logger;
    const sink =
      typeof given === 'function'
        ? given(resolved.log.format)
        : (given ?? streamLogger(resolved.log.format));
    const logger = leveledLogger(sink, resolved.log.level);
    // First, so a missing prom-client or a busy metrics port fails before Redis is touched.
    const metrics = await startServerMetrics(resolved.metrics, shared, logger);
    let scaling: RedisScalingAdapter | undefined;
    try {
      if (resolved.scaling === 'redis') scaling = await startRedisScaling(resolved, config, logger);
    } catch (error) {
      await metrics?.close();
      throw error;
    }
    // A worker of `serve --workers` without Redis: joined to the others through its primary.
    const link = scaling ? undefined : inMachineLink();
    const interest = new ChannelInterestAdapter(scaling ?? link ?? new SingleNodeAdapter());
    const engine = new PusherServerEngine(resolved, interest, logger, metrics?.metrics);
    // With scaling, pending webhooks live in Redis: a surviving node sends a dead one's.
    const webhooks = WebhookDispatcher.start(engine.events, {
      apps: resolved.apps,
      delivery: resolved.webhooks,
      store: scaling && new RedisWebhookStore(scaling.redis.commands, scaling.redis.namespace),
      logger,
      metrics: metrics?.metrics ?? NO_METRICS,
    });
    if (webhooks) metrics?.metrics.watchWebhooks(() => webhooks.pending());
    // Hub messages name their app, or go to the first; Redis ones are told apart by prefix.
    const appIds = resolved.apps.map((app) => app.id);
    const detachHub = resolved.localHub
      ? attachLocalHub(resolved.localHub, engine, appIds, logger)
      : undefined;
    let redis: RedisSource | undefined;
    try {
      if (resolved.redis)
        redis = await RedisSource.start(scaling || link ? thisNodeOnlyTarget(interest) : engine, {
          url: resolved.redis.url,
          cluster: resolved.redis.cluster,
          sharded: resolved.redis.sharded,
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
      await webhooks?.close();
      await metrics?.close();
      throw error;
    }
    let runtime: BroadcastServerRuntime | undefined;
    const api = new HttpApiRouter(engine, {
      logger,
      health: () =>
        runtime?.closing ? { status: 'stopping' } : (scaling?.health() ?? { status: 'ok' }),
      metrics: metrics?.metrics,
    });
    runtime = new BroadcastServerRuntime({
      options: resolved,
      engine,
      logger,
      api,
      interest,
      scaling,
      detachHub,
      redis,
      metrics,
      webhooks,
    });
    const created = runtime;
    metrics?.watchRedis(() => created.redisLinks());
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
      const { detachHub, redis, engine, interest, metrics, webhooks } = this.parts;
      const deadline = Date.now() + shutdownGraceSeconds * 1000;
      const left = () => Math.max(0, deadline - Date.now());
      const connections = engine.localConnections;
      // A start that failed half-way closes too; it was never up, so it says nothing.
      const log = this.serving ? this.logger.log.bind(this.logger) : () => {};
      log(HostingMessages.stopping(connections, shutdownGraceSeconds), {
        connections,
        graceSeconds: shutdownGraceSeconds,
      });
      detachHub?.();
      // A Redis that hangs must not hold the shutdown past its grace.
      if (redis) await settleWithin(redis.close(), left());
      await engine.close();
      await settleWithin(interest.close(), left());
      // The last events (vacated, member_removed) leave in the grace that is left.
      if (webhooks) await settleWithin(webhooks.close(), left());
      const cut = await this.socketsGone(deadline);
      await metrics?.close();
      log(HostingMessages.stopped(cut, shutdownGraceSeconds), { cut });
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
export function withRedisDefault<T extends Pick<BroadcastServerOptions, 'redis'>>(
  options: T,
  config: ResolvedBroadcastConfig,
): T {
  if (options.redis !== undefined || config.server.fromFile.redis !== undefined) return options;
  const set = (key: string) =>
    config.sources[key] !== undefined && config.sources[key] !== 'default';
  const configured = set('redis.url') || set('redis.cluster');
  return { ...options, redis: config.default === 'redis' || configured };
}
