/**
 * The Pusher protocol 7 engine: WebSocket handshake, subscriptions, presence, client
 * events, sign-in, cache channels and the fan-out every publish source ends in.
 *
 * Data structures (one node; the adapter makes the cluster-wide ones):
 * - `nodes: Map<appId, AppNode>`, per app:
 *   - `connections: Set<PusherConnection>`: open sockets (the quota counts these);
 *   - `channels: Map<channel, Set<PusherConnection>>`: local subscribers. A channel's entry
 *     exists only while it has one; creating/deleting it tells the adapter the channel is
 *     occupied/vacated. The fan-out iterates this Set and nothing else;
 *   - `listening: Map<channel, Promise>`: channels whose adapter is still starting to listen
 *     (Redis SUBSCRIBE under way); their subscribers are confirmed once it settles;
 *   - `users: Map<userId, Set<PusherConnection>>`: signed-in sockets, for terminate.
 * - `PusherConnection.channels: Map<channel, presenceUserId | ''>`: the reverse index used
 *   on unsubscribe and close.
 * - Presence rosters (per user, not per socket), cache-channel events and counts live
 *   behind the {@link ServerAdapter}, whose methods are async.
 * - One sweeping interval walks every socket for the activity timeout (no timer per socket).
 *
 * Each socket's frames are handled in order; an async step (presence join, quota check,
 * waiting for the adapter to listen on a new channel) holds later frames in the
 * connection's backlog until it finishes.
 */
import type { IncomingMessage } from 'node:http';
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { channelKind, isCacheChannel } from '../../shared/pusher-protocol/channel-names.js';
import { SingleNodeAdapter } from '../cluster/single-node.adapter.js';
import { LISTEN_WAIT_MS, settleWithin } from '../cluster/settle-within.js';
import type {
  AdapterHost,
  AdapterPublish,
  ChannelStats,
  ServerAdapter,
} from '../cluster/server-adapter.interface.js';
import type { ResolvedServerOptions } from '../options/resolved-server-options.interface.js';
import { CloseCode } from '../protocol/close-codes.js';
import {
  channelFrame,
  ChannelFrames,
  connectionEstablished,
  errorFrame,
  eventFrame,
  PING_FRAME,
  PONG_FRAME,
  subscriptionError,
  subscriptionSucceeded,
} from '../protocol/frames.js';
import { dataObject, parseInbound, type InboundMessage } from '../protocol/inbound-message.js';
import { AppRegistry } from './app-registry.js';
import { checkClientEvent } from './client-event-policy.js';
import { PusherConnection } from './pusher-connection.js';
import { authorizeSubscription } from './subscription-authorizer.js';
import { verifySignin } from './user-signin.js';
import { serverToUserChannel } from '../../shared/pusher-protocol/channel-prefixes.js';

interface AppNode {
  connections: Set<PusherConnection>;
  channels: Map<string, Set<PusherConnection>>;
  users: Map<string, Set<PusherConnection>>;
  listening: Map<string, Promise<void>>;
}

const APP_PATH = /^\/app\/([^/?#]+)\/?(?:\?|$)/;
const TEXT = { binary: false } as const;
const MAX_SOCKET_PART = 2 ** 47;

/** Shared by every engine in the process; starts at a random point, not at 1. */
let socketSequence = randomInt(1, 2 ** 32);
const nextSocketSequence = (): number =>
  (socketSequence = socketSequence >= Number.MAX_SAFE_INTEGER ? 1 : socketSequence + 1);

export class PusherServerEngine {
  readonly apps: AppRegistry;
  private readonly adapter: ServerAdapter;
  private readonly ownsAdapter: boolean;
  private readonly wss: WebSocketServer;
  private readonly nodes = new Map<string, AppNode>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly attached: Promise<void>;
  private closing?: Promise<void>;
  /** TCP sockets `deliver()` corked this event-loop turn; {@link uncorkAll} flushes them. */
  private readonly corked = new Set<Socket>();
  private readonly uncorkAll = (): void => {
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  };

  constructor(
    private readonly options: ResolvedServerOptions,
    adapter?: ServerAdapter,
  ) {
    this.apps = new AppRegistry(options.apps);
    for (const app of options.apps)
      this.nodes.set(app.id, {
        connections: new Set(),
        channels: new Map(),
        users: new Map(),
        listening: new Map(),
      });
    this.adapter = adapter ?? new SingleNodeAdapter();
    this.ownsAdapter = adapter === undefined;
    this.attached = Promise.resolve(this.adapter.attach(this.host()));
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: options.maxPayloadBytes,
      clientTracking: false,
    });
    const period = Math.min(options.activityTimeout, options.pongTimeout) * 250;
    this.sweeper = setInterval(() => this.sweep(), Math.max(100, Math.min(period, 5_000)));
    this.sweeper.unref();
  }

  /** Handles an HTTP upgrade if the path is /app/{key}; returns false (touching nothing) otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = APP_PATH.exec(req.url ?? '');
    if (!match) return false;
    if (this.closing) {
      socket.destroy();
      return true;
    }
    let key: string;
    try {
      key = decodeURIComponent(match[1]);
    } catch {
      key = match[1];
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req, key));
    return true;
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

  /** Closes every socket (4200, clients reconnect elsewhere) and stops timers; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.sweeper);
      this.uncorkAll();
      for (const node of this.nodes.values())
        for (const conn of node.connections) conn.close(CloseCode.SERVER_CLOSING, 'server closing');
      this.wss.close();
      if (this.ownsAdapter) await this.adapter.close();
    })();
    return this.closing;
  }

  // ---- fan-out (hot path) -------------------------------------------------------------

  /**
   * The event name and data are escaped once per message ({@link ChannelFrames}); each
   * channel's frame is encoded once, at its first send, into one Buffer shared by every
   * subscriber; a socket whose send buffer is over `maxBufferedBytes` is closed with 4100
   * instead.
   *
   * Each subscriber's TCP socket is corked at its first frame in this event-loop turn and
   * uncorked in a setImmediate, so every frame it gets in the turn (a burst of publishes,
   * several channels) leaves in one writev instead of one syscall each: the kernel's
   * loopback/TCP path, paid per write, was most of the fan-out's CPU (bench/README.md,
   * "Fan-out"). Why this is safe with `ws` 8 (`_socket` is its private net.Socket):
   * - its Sender corks/uncorks around each frame too; the counts nest, so bytes stay
   *   buffered until our uncork, in write order;
   * - with permessage-deflate off (and no Blob data) the Sender never queues, so every
   *   frame on a socket - these, and `conn.send`'s pong, subscription_succeeded, errors,
   *   close frames - goes through the same socket in call order;
   * - `bufferedAmount` is `_socket.writableLength` + the Sender's queue, corked bytes
   *   included, so the slow-consumer guard sees them (see {@link overCapacity});
   * - uncork on an ended or destroyed socket does nothing (and `end()` uncorks itself).
   */
  private deliver(message: AdapterPublish): void {
    const node = this.nodes.get(message.appId);
    if (!node) return;
    const except = message.exceptSocketId;
    const maxBuffered = this.options.maxBufferedBytes;
    // Built at the first real send: a publish nobody here receives (only the excluded
    // sender subscribed, or no subscriber) escapes and encodes nothing.
    let frames: ChannelFrames | undefined;
    for (const channel of message.channels) {
      const subscribers = node.channels.get(channel);
      if (subscribers === undefined) continue;
      let frame: Buffer | undefined;
      for (const conn of subscribers) {
        if (conn.socketId === except) continue;
        const ws = conn.ws;
        if (ws.readyState !== 1) continue;
        if (ws.bufferedAmount > maxBuffered && this.overCapacity(ws, maxBuffered)) {
          conn.close(CloseCode.OVER_CAPACITY, 'slow consumer: send buffer over maxBufferedBytes');
          continue;
        }
        const socket = (ws as unknown as { _socket: Socket })._socket;
        if (!this.corked.has(socket)) {
          socket.cork();
          this.corked.add(socket);
          if (this.corked.size === 1) setImmediate(this.uncorkAll);
        }
        frame ??= Buffer.from(
          (frames ??= new ChannelFrames(message.event, message.data, message.userId)).frame(
            channel,
          ),
        );
        ws.send(frame, TEXT);
      }
    }
  }

  /**
   * Over the limit counting this turn's corked bytes, which are ours, not the client's
   * backlog: flush them to the kernel, then judge by what it refused. Without this, a
   * reading client sent more than `maxBufferedBytes` in one turn would be closed.
   */
  private overCapacity(ws: WebSocket, maxBuffered: number): boolean {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    if (this.corked.delete(socket)) socket.uncork();
    return ws.bufferedAmount > maxBuffered;
  }

  private host(): AdapterHost {
    return {
      deliver: (message) => this.deliver(message),
      localChannels: (appId, prefix) => {
        const counts = new Map<string, number>();
        for (const [name, subscribers] of this.nodes.get(appId)?.channels ?? [])
          if (!prefix || name.startsWith(prefix)) counts.set(name, subscribers.size);
        return counts;
      },
      localConnectionCount: (appId) => this.nodes.get(appId)?.connections.size ?? 0,
      terminateLocalUser: (appId, userId) => {
        for (const conn of this.nodes.get(appId)?.users.get(userId) ?? [])
          conn.fail(CloseCode.UNAUTHORIZED, 'Connection terminated by the app.');
      },
    };
  }

  // ---- connection lifecycle ----------------------------------------------------------

  private onSocket(ws: WebSocket, req: IncomingMessage, key: string): void {
    // Without a listener, a bad frame's 'error' event would crash the process.
    ws.on('error', () => {});
    const reject = (code: number, message: string) => {
      ws.send(errorFrame(message, code));
      ws.close(code, message.slice(0, 120));
    };
    const app = this.apps.byKey(key);
    if (!app)
      return reject(CloseCode.APP_NOT_FOUND, `App key ${key.slice(0, 40)} not in this cluster.`);
    if (!app.enabled) return reject(CloseCode.APP_DISABLED, 'App is disabled.');
    const protocol = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('protocol') ?? 7);
    if (!(protocol >= 5))
      return reject(CloseCode.UNSUPPORTED_PROTOCOL, 'Unsupported protocol version: use 7.');
    if (!app.anyOrigin) {
      const origin = req.headers.origin;
      if (!origin || !app.allowedOrigins.includes(origin))
        return reject(
          CloseCode.UNAUTHORIZED,
          `Origin ${origin ? origin.slice(0, 60) : '(none)'} is not in allowedOrigins.`,
        );
    }

    const conn = new PusherConnection(this.newSocketId(), app, ws);
    const node = this.nodes.get(app.id)!;
    node.connections.add(conn);
    ws.on('message', (raw: Buffer, isBinary: boolean) => this.onFrame(conn, raw, isBinary));
    ws.on('pong', () => {
      conn.lastSeen = Date.now();
      conn.pingSentAt = 0;
    });
    ws.on('close', () => {
      conn.closed = true;
      this.run(conn, () => this.cleanup(conn, node));
    });
    this.run(conn, () => this.admit(conn));
  }

  /** Reserves the slot first, then counts, so two racing connections cannot both squeeze in. */
  private async admit(conn: PusherConnection): Promise<void> {
    await this.attached;
    const max = conn.app.maxConnections;
    if (max > 0 && (await this.adapter.connectionCount(conn.app.id)) > max)
      return conn.fail(CloseCode.OVER_CONNECTION_QUOTA, 'Over connection quota.');
    conn.send(connectionEstablished(conn.socketId, this.options.activityTimeout));
  }

  private async cleanup(conn: PusherConnection, node: AppNode): Promise<void> {
    node.connections.delete(conn);
    if (conn.userId !== undefined) this.forgetUser(conn, node);
    for (const channel of [...conn.channels.keys()]) await this.leave(conn, channel);
  }

  /**
   * `random.sequence`: the sequence half keeps ids unique in this process without a set of
   * every live id; the random half keeps them apart across the nodes of a cluster (and makes
   * them unguessable).
   */
  private newSocketId(): string {
    return `${randomInt(1, MAX_SOCKET_PART)}.${nextSocketSequence()}`;
  }

  /** Pings sockets silent for activityTimeout; closes those silent pongTimeout after that. */
  private sweep(): void {
    const now = Date.now();
    const idle = this.options.activityTimeout * 1000;
    const pong = this.options.pongTimeout * 1000;
    for (const node of this.nodes.values())
      for (const conn of node.connections) {
        if (conn.pingSentAt) {
          if (now - conn.pingSentAt >= pong)
            conn.close(CloseCode.PONG_TIMEOUT, 'Pong reply not received in time.');
        } else if (now - conn.lastSeen >= idle) {
          conn.pingSentAt = now;
          conn.send(PING_FRAME);
        }
      }
  }

  // ---- inbound frames ----------------------------------------------------------------

  private onFrame(conn: PusherConnection, raw: Buffer, isBinary: boolean): void {
    conn.lastSeen = Date.now();
    conn.pingSentAt = 0;
    if (conn.busy) {
      if (!conn.enqueue(raw, isBinary))
        conn.close(CloseCode.OVER_CAPACITY, 'Too many messages while a subscription was pending.');
      return;
    }
    this.run(conn, () => this.handle(conn, raw, isBinary));
  }

  /** Runs a step; if it is async, holds later frames until it settles, then drains them. */
  private run(conn: PusherConnection, step: () => void | Promise<void>): void {
    let result: void | Promise<void>;
    try {
      result = step();
    } catch {
      result = undefined; // a bug in one frame's handling must not take the process down
    }
    if (!(result instanceof Promise)) return;
    conn.busy = true;
    result
      .catch(() => {})
      .then(() => {
        conn.busy = false;
        while (!conn.busy && conn.backlog.length > 0) {
          const { raw, isBinary } = conn.backlog.shift()!;
          this.run(conn, () => this.handle(conn, raw, isBinary));
        }
      });
  }

  private handle(conn: PusherConnection, raw: Buffer, isBinary: boolean): void | Promise<void> {
    if (conn.closed) return;
    if (isBinary)
      return conn.send(errorFrame('Binary frames are not supported: send JSON text.', null));
    const message = parseInbound(raw);
    if (typeof message === 'string') return conn.send(errorFrame(message, null));
    switch (message.event) {
      case 'pusher:ping':
        return conn.send(PONG_FRAME);
      case 'pusher:pong':
        return;
      case 'pusher:subscribe':
        return this.subscribe(conn, message);
      case 'pusher:unsubscribe':
        return this.unsubscribe(conn, message);
      case 'pusher:signin':
        return this.signin(conn, message);
      default:
        if (message.event.startsWith('client-')) return this.clientEvent(conn, message);
        return conn.send(
          errorFrame(`Unknown event ${JSON.stringify(message.event.slice(0, 60))}.`, null),
        );
    }
  }

  // ---- subscriptions -----------------------------------------------------------------

  private async subscribe(conn: PusherConnection, message: InboundMessage): Promise<void> {
    const data = dataObject(message);
    const channel = data?.channel;
    if (typeof channel !== 'string' || channel.length === 0)
      return conn.send(
        errorFrame('pusher:subscribe needs data.channel, the channel name to join.', null),
      );
    const { app } = conn;
    if (conn.channels.has(channel)) return this.confirm(conn, channel);

    const decision = await authorizeSubscription(conn, channel, data!, async () => {
      const members = await this.adapter.presenceMembers(app.id, channel);
      return { size: members.size, has: (id: string) => members.has(id) };
    });
    if (conn.closed) return;
    if (!decision.ok) return conn.send(subscriptionError(channel, decision.error, decision.status));

    if (decision.member) {
      const { firstForUser } = await this.adapter.joinPresence(
        app.id,
        channel,
        conn.socketId,
        decision.member,
      );
      if (conn.closed) {
        await this.adapter.leavePresence(app.id, channel, conn.socketId, decision.member.id);
        return;
      }
      if (firstForUser) {
        const added = JSON.stringify({
          user_id: decision.member.id,
          user_info: decision.member.info,
        });
        this.adapter.publish({
          appId: app.id,
          channels: [channel],
          event: 'pusher_internal:member_added',
          data: added,
          exceptSocketId: conn.socketId,
        });
      }
    }
    // Confirmed only once the node listens cluster-wide: a message published as soon as the
    // client sees subscription_succeeded must reach it.
    const listening = this.addLocal(conn, channel, decision.member?.id ?? '');
    if (listening) {
      await listening;
      if (conn.closed) return;
    }
    await this.confirm(conn, channel);
  }

  /** subscription_succeeded (with the roster on presence), then a cache channel's last event. */
  private async confirm(conn: PusherConnection, channel: string): Promise<void> {
    const appId = conn.app.id;
    if (channelKind(channel) === 'presence') {
      const members = await this.adapter.presenceMembers(appId, channel);
      const hash: Record<string, unknown> = {};
      for (const [id, info] of members) hash[id] = info;
      conn.send(
        subscriptionSucceeded(channel, {
          presence: { ids: [...members.keys()], hash, count: members.size },
        }),
      );
    } else {
      conn.send(subscriptionSucceeded(channel));
    }
    if (isCacheChannel(channel)) {
      const cached = await this.adapter.cachedEvent(appId, channel);
      conn.send(
        cached
          ? channelFrame(cached.event, channel, cached.data)
          : channelFrame('pusher:cache_miss', channel, '{}'),
      );
    }
  }

  private unsubscribe(conn: PusherConnection, message: InboundMessage): void | Promise<void> {
    const channel = dataObject(message)?.channel;
    if (typeof channel !== 'string')
      return conn.send(errorFrame('pusher:unsubscribe needs data.channel.', null));
    if (conn.channels.has(channel)) return this.leave(conn, channel);
  }

  /** Takes the subscriber; returns the adapter's pending start of listening, if any. */
  private addLocal(
    conn: PusherConnection,
    channel: string,
    presenceUserId: string,
  ): Promise<void> | undefined {
    const node = this.nodes.get(conn.app.id)!;
    conn.channels.set(channel, presenceUserId);
    let subscribers = node.channels.get(channel);
    if (!subscribers) {
      node.channels.set(channel, (subscribers = new Set()));
      const started = this.adapter.channelOccupied(conn.app.id, channel);
      if (started) {
        // Bounded here too, whatever the adapter does: an adapter that never settles must
        // not hold subscriptions forever.
        const listening = settleWithin(started, LISTEN_WAIT_MS);
        node.listening.set(channel, listening);
        void listening.then(() => {
          if (node.listening.get(channel) === listening) node.listening.delete(channel);
        });
      }
    }
    subscribers.add(conn);
    return node.listening.get(channel);
  }

  private async leave(conn: PusherConnection, channel: string): Promise<void> {
    const appId = conn.app.id;
    const node = this.nodes.get(appId)!;
    const presenceUserId = conn.channels.get(channel);
    conn.channels.delete(channel);
    const subscribers = node.channels.get(channel);
    if (subscribers?.delete(conn) && subscribers.size === 0) {
      node.channels.delete(channel);
      node.listening.delete(channel);
      this.adapter.channelVacated(appId, channel);
    }
    if (presenceUserId) {
      const { lastForUser } = await this.adapter.leavePresence(
        appId,
        channel,
        conn.socketId,
        presenceUserId,
      );
      if (lastForUser)
        this.adapter.publish({
          appId,
          channels: [channel],
          event: 'pusher_internal:member_removed',
          data: JSON.stringify({ user_id: presenceUserId }),
        });
    }
  }

  // ---- client events -----------------------------------------------------------------

  private clientEvent(conn: PusherConnection, message: InboundMessage): void {
    const checked = checkClientEvent(conn, message);
    if ('refused' in checked) {
      const channel = typeof message.channel === 'string' ? message.channel : undefined;
      return conn.send(errorFrame(checked.refused, checked.code, channel));
    }
    this.adapter.publish({
      appId: conn.app.id,
      channels: [checked.channel],
      event: message.event,
      data: checked.data,
      exceptSocketId: conn.socketId,
      userId: checked.userId || undefined,
    });
  }

  // ---- user sign-in ------------------------------------------------------------------

  private signin(conn: PusherConnection, message: InboundMessage): void {
    const user = verifySignin(conn, message);
    if ('refused' in user) return conn.fail(CloseCode.UNAUTHORIZED, user.refused);
    const { id, userData } = user;
    const { app } = conn;
    const node = this.nodes.get(app.id)!;
    if (conn.userId !== undefined && conn.userId !== id) {
      this.forgetUser(conn, node);
      const previous = serverToUserChannel(conn.userId);
      if (conn.channels.has(previous)) void this.leave(conn, previous);
    }
    conn.userId = id;
    let sockets = node.users.get(id);
    if (!sockets) node.users.set(id, (sockets = new Set()));
    sockets.add(conn);
    conn.send(eventFrame('pusher:signin_success', JSON.stringify({ user_data: userData })));
  }

  private forgetUser(conn: PusherConnection, node: AppNode): void {
    const sockets = node.users.get(conn.userId!);
    if (sockets?.delete(conn) && sockets.size === 0) node.users.delete(conn.userId!);
  }
}
