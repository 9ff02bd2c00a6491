import { CloseCode } from '../protocol/close-codes.js';
import { PING_FRAME } from '../protocol/frames.js';
import type { ChannelRegistry } from './channel-registry.js';
import { EngineMessages } from './engine-messages.js';

/**
 * The activity timeout: one interval walks every socket, rather than a timer per socket.
 * A socket silent for `activityTimeout` seconds gets `pusher:ping`; one that stays silent
 * `pongTimeout` seconds after that is closed with 4201. Any frame or WebSocket pong from the
 * client counts as activity (`PusherConnection.heard`).
 */
export class IdleSweep {
  private readonly timer: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly pongMs: number;

  constructor(
    private readonly registry: ChannelRegistry,
    activityTimeout: number,
    pongTimeout: number,
  ) {
    this.idleMs = activityTimeout * 1000;
    this.pongMs = pongTimeout * 1000;
    // About a quarter of the shorter timeout, so no socket is judged much more than 25% late.
    const period = Math.min(activityTimeout, pongTimeout) * 250;
    this.timer = setInterval(() => this.sweep(), Math.max(100, Math.min(period, 5_000)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sweep(): void {
    const now = Date.now();
    for (const app of this.registry.all())
      for (const conn of app.connections) {
        if (conn.pingSentAt) {
          if (now - conn.pingSentAt >= this.pongMs)
            conn.close(CloseCode.PONG_TIMEOUT, EngineMessages.pongTimeout());
        } else if (now - conn.lastSeen >= this.idleMs) {
          conn.pingSentAt = now;
          conn.send(PING_FRAME);
        }
      }
  }
}
