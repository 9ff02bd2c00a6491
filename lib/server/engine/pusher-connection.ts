import type { WebSocket } from 'ws';
import type { AppMetrics } from '../metrics/server-metrics.interface.js';
import type { ResolvedAppOptions } from '../options/resolved-server-options.interface.js';
import { errorFrame } from '../protocol/frames.js';

/** Messages a connection may queue while one of its async steps (presence join) runs. */
const MAX_BACKLOG = 256;

/**
 * One client socket and the state the protocol keeps for it. Messages are handled in
 * arrival order: while an async step is in flight, later frames wait in `backlog`.
 */
export class PusherConnection {
  /** Channel → presence user id on that channel ('' on other kinds). */
  readonly channels = new Map<string, string>();
  /** User id after `pusher:signin`. */
  userId?: string;
  /** Last frame (or WebSocket pong) from the client, ms since epoch. */
  lastSeen = Date.now();
  /** When the server sent `pusher:ping` and awaits an answer; 0 when not waiting. */
  pingSentAt = 0;
  /** Client-event rate window. */
  rateWindowStart = 0;
  rateCount = 0;
  closed = false;
  /** The code the server closed the socket with; 0 while it has not (for the metrics). */
  closeCode = 0;
  busy = false;
  readonly backlog: Array<{ raw: Buffer; isBinary: boolean }> = [];

  constructor(
    readonly socketId: string,
    readonly app: ResolvedAppOptions,
    readonly ws: WebSocket,
    /** The app's recorder, shared by its connections. */
    readonly metrics: AppMetrics,
  ) {}

  /** Any frame or WebSocket pong from the client: it is alive, the idle sweep starts over. */
  heard(): void {
    this.lastSeen = Date.now();
    this.pingSentAt = 0;
  }

  send(frame: string): void {
    if (this.ws.readyState !== 1) return;
    this.ws.send(frame);
    this.metrics.messagesSent(1);
  }

  /** `pusher:error` with the code, then close with it (Pusher's order). */
  fail(code: number, message: string): void {
    this.send(errorFrame(message, code));
    this.close(code, message);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState > 1) return;
    this.closeCode = code;
    // Close reasons are limited to 123 bytes by the WebSocket spec.
    this.ws.close(code, reason.length > 120 ? reason.slice(0, 120) : reason);
  }

  /** False when the backlog is full: the client floods while a step is in flight. */
  enqueue(raw: Buffer, isBinary: boolean): boolean {
    if (this.backlog.length >= MAX_BACKLOG) return false;
    this.backlog.push({ raw, isBinary });
    return true;
  }
}
