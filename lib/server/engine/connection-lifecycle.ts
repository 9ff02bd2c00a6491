import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerAdapter } from '../cluster/server-adapter.interface.js';
import type { ResolvedServerOptions } from '../options/resolved-server-options.interface.js';
import { CloseCode } from '../protocol/close-codes.js';
import { connectionEstablished, errorFrame } from '../protocol/frames.js';
import type { AppRegistry } from './app-registry.js';
import type { ChannelRegistry } from './channel-registry.js';
import { EngineLogMessages, EngineMessages } from './engine-messages.js';
import type { ServerLogger } from '../../shared/logger.js';
import { checkHandshake } from './handshake-policy.js';
import type { InboundFrameHandler } from './inbound-frame-handler.js';
import { PusherConnection } from './pusher-connection.js';
import { newSocketId } from './socket-id-generator.js';
import type { SubscriptionHandler } from './subscription-handler.js';

const APP_PATH = /^\/app\/([^/?#]+)\/?(?:\?|$)/;

/** What a connection's life touches, wired once by the engine. */
export interface ConnectionLifecycleParts {
  options: Pick<ResolvedServerOptions, 'maxPayloadBytes' | 'activityTimeout'>;
  apps: AppRegistry;
  registry: ChannelRegistry;
  adapter: Pick<ServerAdapter, 'connectionCount'>;
  /** Settles once the adapter is attached; no connection is admitted before. */
  attached: Promise<void>;
  frames: InboundFrameHandler;
  subscriptions: Pick<SubscriptionHandler, 'leave'>;
  /** Its `debug`, when defined, hears each connection's opening, refusal and close code. */
  logger: ServerLogger;
}

/**
 * A socket from the HTTP upgrade to its cleanup: the handshake checks, admission under the
 * connection quota, `pusher:connection_established`, and on close leaving every channel.
 */
export class ConnectionLifecycle {
  private readonly wss: WebSocketServer;
  private stopped = false;

  constructor(private readonly parts: ConnectionLifecycleParts) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: parts.options.maxPayloadBytes,
      clientTracking: false,
    });
  }

  /** Handles an HTTP upgrade if the path is /app/{key}; returns false (touching nothing) otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = APP_PATH.exec(req.url ?? '');
    if (!match) return false;
    if (this.stopped) {
      socket.destroy();
      return true;
    }
    let key: string;
    try {
      key = decodeURIComponent(match[1]);
    } catch {
      key = match[1];
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, key));
    return true;
  }

  /** Closes every socket with 4200 (clients reconnect at once, elsewhere) and takes no more. */
  closeAll(): void {
    this.stopped = true;
    for (const app of this.parts.registry.all())
      for (const conn of app.connections)
        conn.close(CloseCode.SERVER_CLOSING, EngineMessages.serverClosing());
    this.wss.close();
  }

  private accept(ws: WebSocket, req: IncomingMessage, key: string): void {
    // Without a listener, a bad frame's 'error' event would crash the process.
    ws.on('error', () => {});
    const { registry, frames, logger } = this.parts;
    const app = checkHandshake(this.parts.apps, key, req);
    if ('refused' in app) {
      logger.debug?.(EngineLogMessages.connectionRefused(key, app.code, app.refused), {
        appKey: key,
        code: app.code,
        origin: req.headers.origin,
      });
      ws.send(errorFrame(app.refused, app.code));
      ws.close(app.code, app.refused.slice(0, 120));
      return;
    }

    const conn = new PusherConnection(newSocketId(), app, ws, registry.get(app.id)!.metrics);
    registry.addConnection(conn);
    conn.metrics.connectionOpened();
    ws.on('message', (raw: Buffer, isBinary: boolean) => frames.onFrame(conn, raw, isBinary));
    ws.on('pong', () => conn.heard());
    ws.on('close', (code: number) => {
      conn.closed = true;
      logger.debug?.(EngineLogMessages.connectionClosed(conn.socketId, app.id, code), {
        socketId: conn.socketId,
        appId: app.id,
        code,
      });
      // The code we closed with says why (4100, 4200, ...) even if the client never answered.
      conn.metrics.connectionClosed(conn.closeCode || code);
      frames.run(conn, () => this.cleanup(conn));
    });
    const address = req.socket.remoteAddress;
    logger.debug?.(EngineLogMessages.connectionOpened(conn.socketId, app.id, address), {
      socketId: conn.socketId,
      appId: app.id,
      address,
    });
    frames.run(conn, () => this.admit(conn));
  }

  /** Reserves the slot first, then counts, so two racing connections cannot both squeeze in. */
  private async admit(conn: PusherConnection): Promise<void> {
    await this.parts.attached;
    const max = conn.app.maxConnections;
    if (max > 0 && (await this.parts.adapter.connectionCount(conn.app.id)) > max)
      return conn.fail(CloseCode.OVER_CONNECTION_QUOTA, EngineMessages.overConnectionQuota());
    conn.send(connectionEstablished(conn.socketId, this.parts.options.activityTimeout));
  }

  private async cleanup(conn: PusherConnection): Promise<void> {
    this.parts.registry.removeConnection(conn);
    for (const channel of [...conn.channels.keys()])
      await this.parts.subscriptions.leave(conn, channel);
  }
}
