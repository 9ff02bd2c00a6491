import { CloseCode } from '../protocol/close-codes.js';
import { errorFrame, PONG_FRAME } from '../protocol/frames.js';
import { parseInbound } from '../protocol/inbound-message.js';
import type { ClientEventHandler } from './client-event-handler.js';
import { EngineMessages } from './engine-messages.js';
import type { PusherConnection } from './pusher-connection.js';
import type { SubscriptionHandler } from './subscription-handler.js';
import type { UserSigninHandler } from './user-signin-handler.js';

/** One step of a connection's work: a frame's handling, its admission or its cleanup. */
export type ConnectionStep = () => void | Promise<void>;

/**
 * Each socket's frames, in arrival order: parsed, then dispatched by event name to the
 * subscription, sign-in and client-event handlers (Reverb's `EventHandler`). An async step
 * (presence join, quota check, waiting for the adapter to listen on a new channel) holds
 * later frames in the connection's backlog until it settles.
 */
export class InboundFrameHandler {
  constructor(
    private readonly subscriptions: SubscriptionHandler,
    private readonly signins: UserSigninHandler,
    private readonly clientEvents: ClientEventHandler,
  ) {}

  /** The socket's 'message' listener. */
  onFrame(conn: PusherConnection, raw: Buffer, isBinary: boolean): void {
    conn.heard();
    conn.metrics.messageReceived();
    if (conn.busy) {
      if (!conn.enqueue(raw, isBinary))
        conn.close(CloseCode.OVER_CAPACITY, EngineMessages.backlogFull());
      return;
    }
    this.run(conn, () => this.handle(conn, raw, isBinary));
  }

  /** Runs a step; if it is async, holds later frames until it settles, then drains them. */
  run(conn: PusherConnection, step: ConnectionStep): void {
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
    if (isBinary) return conn.send(errorFrame(EngineMessages.binaryFrame(), null));
    const message = parseInbound(raw);
    if (typeof message === 'string') return conn.send(errorFrame(message, null));
    switch (message.event) {
      case 'pusher:ping':
        return conn.send(PONG_FRAME);
      case 'pusher:pong':
        return;
      case 'pusher:subscribe':
        return this.subscriptions.subscribe(conn, message);
      case 'pusher:unsubscribe':
        return this.subscriptions.unsubscribe(conn, message);
      case 'pusher:signin':
        return this.signins.signin(conn, message);
      default:
        if (message.event.startsWith('client-')) return this.clientEvents.relay(conn, message);
        return conn.send(errorFrame(EngineMessages.unknownEvent(message.event), null));
    }
  }
}
