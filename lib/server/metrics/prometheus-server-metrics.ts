import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BroadcastConfigError } from '../../errors/broadcast.exception.js';
import type { ChannelKind } from '../../shared/pusher-protocol/channel-names.js';
import { AppTally, PendingDeliveries } from './app-tally.js';
import type { PromClient } from './load-prom-client.js';
import { MetricsMessages } from './metrics-messages.js';
import type { PrometheusRegistry } from './metrics-registry-options.interface.js';
import type { EngineGauges, ServerMetrics } from './server-metrics.interface.js';

/** One Redis connection the server depends on, for `redis_up`. */
export interface RedisLinkState {
  /** `scaling`: the link to the other nodes; `delivery`: the subscriber of Redis broadcasts. */
  connection: 'scaling' | 'delivery';
  up: boolean;
}

const CHANNEL_KINDS: readonly ChannelKind[] = [
  'public',
  'private',
  'encrypted',
  'presence',
  'server-to-user',
];

/** From under a millisecond (a lone subscriber) to seconds (a saturated node). */
const DELIVERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * {@link ServerMetrics} on prom-client. The engine's calls land in {@link AppTally} fields;
 * each scrape copies the tallies into the counters and reads the gauges from the engine's
 * maps (prom-client's `collect` callbacks), so between scrapes nothing but the tallies moves.
 * Delivery times are observed once per flush, for the fan-outs of that turn.
 *
 * Every metric is registered through {@link registered}, so {@link unregister} can take
 * exactly this server's metrics out of a registry it shares with the app.
 */
export class PrometheusServerMetrics implements ServerMetrics {
  readonly timesDelivery = true;
  private readonly pending = new PendingDeliveries();
  private readonly tallies = new Map<string, AppTally>();
  private gauges?: EngineGauges;
  private redisLinks: () => RedisLinkState[] = () => [];
  private webhooksPending: () => ReadonlyMap<string, number> = () => new Map();
  private readonly registered: string[] = [];
  private readonly httpRequests: Counter<'route' | 'status'>;
  private readonly delivery: Histogram;

  /**
   * Defines the metrics in `registry` (and prom-client's default metrics if asked). Throws
   * a {@link BroadcastConfigError} naming the metric when the registry already has one of
   * that name, after taking out what it had registered.
   */
  constructor(
    private readonly prom: PromClient,
    private readonly registry: PrometheusRegistry,
    options: { prefix: string; defaultMetrics: boolean },
  ) {
    const p = options.prefix;
    const registers = [this.recording()] as unknown as Registry[];
    const tallies = this.tallies;
    // `collect` runs with the metric as `this`: arrow functions would lose it.
    const counter = (name: string, help: string, read: (tally: AppTally) => number) =>
      new prom.Counter({
        name: p + name,
        help,
        labelNames: ['app_id'],
        registers,
        collect(this: Counter<'app_id'>) {
          this.reset();
          for (const [appId, tally] of tallies) this.inc({ app_id: appId }, read(tally));
        },
      });
    try {
      const gauges = () => this.gauges;
      new prom.Gauge({
        name: `${p}connections`,
        help: 'Open WebSocket connections on this node.',
        labelNames: ['app_id'],
        registers,
        collect(this: Gauge<'app_id'>) {
          const engine = gauges();
          if (!engine) return;
          for (const appId of engine.appIds())
            this.set({ app_id: appId }, engine.localConnectionCount(appId));
        },
      });
      counter(
        'connections_opened_total',
        'WebSocket connections opened (past the handshake checks).',
        (t) => t.opened,
      );
      new prom.Counter({
        name: `${p}connections_closed_total`,
        help: 'WebSocket connections closed, by close code (the server’s own when it closed them).',
        labelNames: ['app_id', 'code'],
        registers,
        collect(this: Counter<'app_id' | 'code'>) {
          this.reset();
          for (const [appId, tally] of tallies)
            for (const [code, count] of tally.closed)
              this.inc({ app_id: appId, code: String(code) }, count);
        },
      });
      counter(
        'ws_messages_received_total',
        'WebSocket frames received from clients.',
        (t) => t.received,
      );
      counter('ws_messages_sent_total', 'WebSocket frames sent to clients.', (t) => t.sent);
      counter(
        'slow_consumer_closes_total',
        'Connections closed with 4100 because their send buffer passed maxBufferedBytes.',
        (t) => t.slowConsumers,
      );
      counter('webhooks_sent_total', 'Webhook requests answered 2xx.', (t) => t.webhooksSent);
      counter(
        'webhooks_failed_total',
        'Webhooks dropped after their retry window ended without a 2xx.',
        (t) => t.webhooksFailed,
      );
      counter(
        'webhooks_overflow_total',
        'Webhooks dropped because the app already had maxPendingPerApp waiting.',
        (t) => t.webhooksOverflowed,
      );
      const webhooksPending = () => this.webhooksPending();
      new prom.Gauge({
        name: `${p}webhooks_pending`,
        help: 'Webhooks waiting to be sent or retried (cluster-wide with scaling), as last counted.',
        labelNames: ['app_id'],
        registers,
        collect(this: Gauge<'app_id'>) {
          this.reset();
          for (const [appId, count] of webhooksPending()) this.set({ app_id: appId }, count);
        },
      });
      new prom.Gauge({
        name: `${p}channels`,
        help: 'Occupied channels on this node, by type.',
        labelNames: ['app_id', 'type'],
        registers,
        collect(this: Gauge<'app_id' | 'type'>) {
          const engine = gauges();
          if (!engine) return;
          for (const appId of engine.appIds()) {
            const kinds = engine.localChannelKinds(appId);
            for (const type of CHANNEL_KINDS)
              this.set({ app_id: appId, type }, kinds.get(type) ?? 0);
          }
        },
      });
      this.httpRequests = new prom.Counter({
        name: `${p}http_requests_total`,
        help: 'HTTP API requests answered, by route and status.',
        labelNames: ['route', 'status'],
        registers,
      });
      this.delivery = new prom.Histogram({
        name: `${p}delivery_seconds`,
        help: 'From an event’s arrival at this node to its last socket write, per event delivered.',
        buckets: DELIVERY_BUCKETS,
        registers,
      });
      const links = () => this.redisLinks();
      new prom.Gauge({
        name: `${p}redis_up`,
        help: '1 while the Redis connection is up, 0 while it is lost (scaling and Redis delivery).',
        labelNames: ['connection'],
        registers,
        collect(this: Gauge<'connection'>) {
          this.reset();
          for (const link of links()) this.set({ connection: link.connection }, link.up ? 1 : 0);
        },
      });
      if (options.defaultMetrics) prom.collectDefaultMetrics({ register: registers[0] });
    } catch (error) {
      this.unregister();
      const taken = /metric with the name (\S+) has already been registered/.exec(
        (error as Error)?.message ?? '',
      );
      if (taken)
        throw new BroadcastConfigError(MetricsMessages.nameTaken(taken[1]), 'metrics.prefix');
      throw error;
    }
  }

  forApp(appId: string): AppTally {
    let tally = this.tallies.get(appId);
    if (!tally) this.tallies.set(appId, (tally = new AppTally(this.pending)));
    return tally;
  }

  attach(gauges: EngineGauges): void {
    this.gauges = gauges;
  }

  /** Where `redis_up` reads the state of each Redis connection in use. */
  watchRedis(links: () => RedisLinkState[]): void {
    this.redisLinks = links;
  }

  watchWebhooks(pending: () => ReadonlyMap<string, number>): void {
    this.webhooksPending = pending;
  }

  flushed(): void {
    const arrivals = this.pending.arrivals;
    if (arrivals.length === 0) return;
    const now = performance.now();
    for (const arrivedAt of arrivals) this.delivery.observe((now - arrivedAt) / 1000);
    arrivals.length = 0;
  }

  httpRequest(route: string, status: number): void {
    this.httpRequests.inc({ route, status: String(status) });
  }

  /** Takes this server's metrics (and default metrics it added) out of the registry. */
  unregister(): void {
    for (const name of this.registered.splice(0)) this.registry.removeSingleMetric(name);
  }

  /** The registry as the metrics see it: registering through it records the name. */
  private recording(): PrometheusRegistry & { contentType?: string } {
    const { registry, registered, prom } = this;
    return {
      registerMetric: (metric: { name: string }) => {
        registry.registerMetric(metric);
        registered.push(metric.name);
      },
      getSingleMetric: (name) => registry.getSingleMetric(name),
      removeSingleMetric: (name) => registry.removeSingleMetric(name),
      contentType:
        (registry as { contentType?: string }).contentType ?? prom.Registry.PROMETHEUS_CONTENT_TYPE,
    };
  }
}
