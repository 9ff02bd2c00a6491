/**
 * The Pusher protocol 7 engine, as the hosts, sources and HTTP API see it: it takes
 * WebSocket upgrades, publishes, answers channel queries and closes. The protocol itself is
 * split by role, as Reverb splits it:
 * - {@link ConnectionLifecycle}: upgrade, handshake, quota, cleanup (and {@link IdleSweep});
 * - {@link InboundFrameHandler}: each socket's frames in order, dispatched by event to
 *   {@link SubscriptionHandler}, {@link UserSigninHandler} and {@link ClientEventHandler},
 *   which carry out what the pure policies decide (`subscription-authorizer.ts`,
 *   `user-signin.ts`, `client-event-policy.ts`);
 * - {@link ChannelRegistry}: this node's per-app maps; {@link FanOut}: delivery to them.
 * Whatever must be cluster-wide (presence rosters, cache events, counts, publishing across
 * nodes) goes through the {@link ServerAdapter}; this class only wires the parts together.
 * Metrics, when on, are a {@link ServerMetrics} the parts call at a few fixed points.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SingleNodeAdapter } from '../cluster/single-node.adapter.js';
import type {
  AdapterHost,
  ChannelStats,
  ServerAdapter,
} from '../cluster/server-adapter.interface.js';
import type { ResolvedServerOptions } from '../options/resolved-server-options.interface.js';
import { CloseCode } from '../protocol/close-codes.js';
import { NO_METRICS } from '../metrics/no-metrics.js';
import type { ServerMetrics } from '../metrics/server-metrics.interface.js';
import { AppRegistry } from './app-registry.js';
import { ChannelRegistry } from './channel-registry.js';
import { ClientEventHandler } from './client-event-handler.js';
import { ConnectionLifecycle } from './connection-lifecycle.js';
import { EngineMessages } from './engine-messages.js';
import { FanOut } from './fan-out.js';
import { IdleSweep } from './idle-sweep.js';
import { InboundFrameHandler } from './inbound-frame-handler.js';
import { ServerEvents } from './server-events.js';
import { SubscriptionCountReporter } from './subscription-count-reporter.js';
import { SubscriptionHandler } from './subscription-handler.js';
import { UserSigninHandler } from './user-signin-handler.js';
import { silentLogger, type ServerLogger } from '../../shared/logger.js';

export class PusherServerEngine {
  readonly apps: AppRegistry;
  /**
   * What webhooks report, as it happens: occupancy and presence changes (once per cluster,
   * from the adapter), client events and cache misses. Webhooks and the Nest bridge listen.
   */
  readonly events = new ServerEvents();
  private readonly adapter: ServerAdapter;
  private readonly ownsAdapter: boolean;
  private readonly registry: ChannelRegistry;
  private readonly fanOut: FanOut;
  private readonly connections: ConnectionLifecycle;
  private readonly idleSweep: IdleSweep;
  private closing?: Promise<void>;

  /**
   * `logger`'s `debug` (when it has one) hears every connection and subscription;
   * `metrics`, when on, counts at a few fixed points.
   */
  constructor(
    options: ResolvedServerOptions,
    adapter?: ServerAdapter,
    logger: ServerLogger = silentLogger,
    metrics: ServerMetrics = NO_METRICS,
  ) {
    this.apps = new AppRegistry(options.apps);
    this.adapter = adapter ?? new SingleNodeAdapter();
    this.ownsAdapter = adapter === undefined;
    this.registry = new ChannelRegistry(
      options.apps.map((app) => app.id),
      this.adapter,
      metrics,
    );
    metrics.attach(this.registry);
    this.fanOut = new FanOut(this.registry, options.maxBufferedBytes, metrics);
    const attached = Promise.resolve(this.adapter.attach(this.host()));
    const subscriptions = new SubscriptionHandler(
      this.adapter,
      this.registry,
      logger,
      this.events,
      new SubscriptionCountReporter(this.adapter, this.events),
    );
    const frames = new InboundFrameHandler(
      subscriptions,
      new UserSigninHandler(this.registry, subscriptions),
      new ClientEventHandler(this.adapter, this.events),
    );
    this.connections = new ConnectionLifecycle({
      options,
      apps: this.apps,
      registry: this.registry,
      adapter: this.adapter,
      attached,
      frames,
      subscriptions,
      logger,
    });
    this.idleSweep = new IdleSweep(this.registry, options.activityTimeout, options.pongTimeout);
  }

  /** Handles an HTTP upgrade if the path is /app/{key}; returns false (touching nothing) otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    return this.connections.handleUpgrade(req, socket, head);
  }

  /**
   * Fan-out entry for every source (HTTP API, local hub, Redis delivery). `data` is already
   * the JSON string the wire carries. Cluster-wide when the adapter is a scaling one.
   */
  publish(
    appId: string,
    channels: string[],
    event: string,
    data: string,
    exceptSocketId?: string | null,
  ): void {
    this.adapter.publish({ appId, channels, event, data, exceptSocketId, cache: true });
  }

  channels(
    appId: string,
    opts: { prefix?: string } = {},
  ): Promise<Map<string, { subscriptionCount: number; userCount?: number }>> {
    return this.adapter.channels(appId, opts.prefix);
  }

  channel(appId: string, name: string): Promise<ChannelStats> {
    return this.adapter.channel(appId, name);
  }

  async presenceUsers(appId: string, name: string): Promise<Array<{ id: string }>> {
    const members = await this.adapter.presenceMembers(appId, name);
    return [...members.keys()].map((id) => ({ id }));
  }

  terminateUserConnections(appId: string, userId: string): Promise<void> {
    return this.adapter.terminateUserConnections(appId, userId);
  }

  connectionCount(appId: string): Promise<number> {
    return this.adapter.connectionCount(appId);
  }

  /** Open sockets on this node, every app together (for the shutdown's log line). */
  get localConnections(): number {
    let total = 0;
    for (const app of this.registry.all()) total += app.connections.size;
    return total;
  }

  /** Closes every socket (4200, clients reconnect elsewhere) and stops timers; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.idleSweep.stop();
      // The corked frames leave before the close frames that follow them.
      this.fanOut.flush();
      this.connections.closeAll();
      if (this.ownsAdapter) await this.adapter.close();
    })();
    return this.closing;
  }

  /** This node, as the adapter sees it: local delivery and local answers. */
  private host(): AdapterHost {
    const { registry, fanOut, events } = this;
    return {
      notify: (appId, event) => events.emit(appId, event),
      deliver: (message) => fanOut.deliver(message),
      localChannels: (appId, prefix) => registry.localChannels(appId, prefix),
      localConnectionCount: (appId) => registry.localConnectionCount(appId),
      terminateLocalUser: (appId, userId) => {
        for (const conn of registry.userConnections(appId, userId))
          conn.fail(CloseCode.UNAUTHORIZED, EngineMessages.terminatedByApp());
      },
    };
  }
}
