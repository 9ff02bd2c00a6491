import { channelKind, type ChannelKind } from '../../shared/pusher-protocol/channel-names.js';
import { LISTEN_WAIT_MS, settleWithin } from '../cluster/settle-within.js';
import type { ServerAdapter } from '../cluster/server-adapter.interface.js';
import type {
  AppMetrics,
  EngineGauges,
  ServerMetrics,
} from '../metrics/server-metrics.interface.js';
import type { PusherConnection } from './pusher-connection.js';

/**
 * One app as this node holds it. Presence rosters, cache-channel events and cluster-wide
 * counts are not here: they live behind the {@link ServerAdapter}, whose methods are async.
 */
export interface LocalApp {
  /** Open sockets (the connection quota counts these). */
  readonly connections: Set<PusherConnection>;
  /**
   * Local subscribers. A channel's entry exists only while it has one, so creating and
   * deleting it is what tells the adapter the channel is occupied / vacated. The fan-out
   * iterates this Set and nothing else.
   */
  readonly channels: Map<string, Set<PusherConnection>>;
  /** Signed-in sockets by user id, for terminate. */
  readonly users: Map<string, Set<PusherConnection>>;
  /**
   * Channels whose adapter is still starting to listen (a Redis SUBSCRIBE under way); their
   * new subscribers are confirmed once it settles.
   */
  readonly listening: Map<string, Promise<void>>;
  /** Where this app's sockets and fan-outs report (a no-op when metrics are off). */
  readonly metrics: AppMetrics;
}

/**
 * This node's per-app maps, the local half of Reverb's channel manager. The reverse index,
 * channel → presence user id per socket, is `PusherConnection.channels`; the registry keeps
 * both sides in step.
 */
export class ChannelRegistry implements EngineGauges {
  private readonly apps = new Map<string, LocalApp>();

  constructor(
    appIds: Iterable<string>,
    private readonly adapter: Pick<ServerAdapter, 'channelOccupied' | 'channelVacated'>,
    metrics: Pick<ServerMetrics, 'forApp'>,
  ) {
    for (const id of appIds)
      this.apps.set(id, {
        connections: new Set(),
        channels: new Map(),
        users: new Map(),
        listening: new Map(),
        metrics: metrics.forApp(id),
      });
  }

  appIds(): IterableIterator<string> {
    return this.apps.keys();
  }

  /** The app's maps; undefined for an app this server does not serve. */
  get(appId: string): LocalApp | undefined {
    return this.apps.get(appId);
  }

  all(): IterableIterator<LocalApp> {
    return this.apps.values();
  }

  addConnection(conn: PusherConnection): void {
    this.apps.get(conn.app.id)!.connections.add(conn);
  }

  /** Drops the socket and its sign-in; its channels are left by the caller, who owns presence. */
  removeConnection(conn: PusherConnection): void {
    this.apps.get(conn.app.id)!.connections.delete(conn);
    if (conn.userId !== undefined) this.signOut(conn);
  }

  /** Takes the subscriber; returns the adapter's pending start of listening, if any. */
  subscribe(
    conn: PusherConnection,
    channel: string,
    presenceUserId: string,
  ): Promise<void> | undefined {
    const app = this.apps.get(conn.app.id)!;
    conn.channels.set(channel, presenceUserId);
    let subscribers = app.channels.get(channel);
    if (!subscribers) {
      app.channels.set(channel, (subscribers = new Set()));
      const started = this.adapter.channelOccupied(conn.app.id, channel);
      if (started) {
        // Bounded here too, whatever the adapter does: an adapter that never settles must
        // not hold subscriptions forever.
        const listening = settleWithin(started, LISTEN_WAIT_MS);
        app.listening.set(channel, listening);
        void listening.then(() => {
          if (app.listening.get(channel) === listening) app.listening.delete(channel);
        });
      }
    }
    subscribers.add(conn);
    return app.listening.get(channel);
  }

  /** Drops the subscriber; returns its presence user id on the channel ('' or undefined if none). */
  unsubscribe(conn: PusherConnection, channel: string): string | undefined {
    const appId = conn.app.id;
    const app = this.apps.get(appId)!;
    const presenceUserId = conn.channels.get(channel);
    conn.channels.delete(channel);
    const subscribers = app.channels.get(channel);
    if (subscribers?.delete(conn) && subscribers.size === 0) {
      app.channels.delete(channel);
      app.listening.delete(channel);
      this.adapter.channelVacated(appId, channel);
    }
    return presenceUserId;
  }

  signIn(conn: PusherConnection, userId: string): void {
    const users = this.apps.get(conn.app.id)!.users;
    conn.userId = userId;
    let sockets = users.get(userId);
    if (!sockets) users.set(userId, (sockets = new Set()));
    sockets.add(conn);
  }

  /** Forgets the socket's sign-in in the index; `conn.userId` stays, for the caller to read. */
  signOut(conn: PusherConnection): void {
    const users = this.apps.get(conn.app.id)!.users;
    const sockets = users.get(conn.userId!);
    if (sockets?.delete(conn) && sockets.size === 0) users.delete(conn.userId!);
  }

  /** Subscription count per local channel, optionally only names starting with `prefix`. */
  localChannels(appId: string, prefix?: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [name, subscribers] of this.apps.get(appId)?.channels ?? [])
      if (!prefix || name.startsWith(prefix)) counts.set(name, subscribers.size);
    return counts;
  }

  localConnectionCount(appId: string): number {
    return this.apps.get(appId)?.connections.size ?? 0;
  }

  /** Occupied local channels by kind: walked at scrape time, never kept up to date. */
  localChannelKinds(appId: string): Map<ChannelKind, number> {
    const kinds = new Map<ChannelKind, number>();
    for (const name of this.apps.get(appId)?.channels.keys() ?? []) {
      const kind = channelKind(name);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    return kinds;
  }

  /** This node's sockets signed in as the user. */
  userConnections(appId: string, userId: string): Iterable<PusherConnection> {
    return this.apps.get(appId)?.users.get(userId) ?? [];
  }
}
