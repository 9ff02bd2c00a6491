import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { AdapterPublish } from '../cluster/server-adapter.interface.js';
import type { ServerMetrics } from '../metrics/server-metrics.interface.js';
import { CloseCode } from '../protocol/close-codes.js';
import { ChannelFrames } from '../protocol/frames.js';
import type { ChannelRegistry } from './channel-registry.js';
import { EngineMessages } from './engine-messages.js';

const TEXT = { binary: false } as const;

/**
 * Delivery of a published message to this node's subscribers: the hot path every publish
 * source ends in (HTTP API, local hub, Redis), once per message per node.
 *
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
 *   included, so the slow-consumer guard sees them (see {@link FanOut.overCapacity});
 * - uncork on an ended or destroyed socket does nothing (and `end()` uncorks itself).
 *
 * Metrics cost one call per delivered message (its recipient count, and its arrival time
 * when metrics are on) and one per flush, never one per socket: the uncork is when the
 * turn's frames really leave, so that is where their delivery time ends.
 */
export class FanOut {
  /**
   * TCP sockets `deliver()` corked this event-loop turn; {@link flush} uncorks them. An array,
   * not a Set: whether a socket is corked already is its own `writableCorked` (see
   * {@link deliver}), so nothing is hashed per delivery, and a Set cleared each turn paid its
   * rehashes again every turn as it grew back to the subscriber count (callgrind, bench/README.md).
   */
  private corked: Socket[] = [];

  /** Uncorks every socket corked this turn. Bound once: it is the setImmediate callback. */
  readonly flush = (): void => {
    const corked = this.corked;
    // A socket uncorked early (overCapacity) is uncorked again here: a no-op at count 0.
    for (let i = 0; i < corked.length; i++) corked[i].uncork();
    this.corked = [];
    this.metrics.flushed();
  };

  private readonly timed: boolean;

  constructor(
    private readonly registry: ChannelRegistry,
    private readonly maxBuffered: number,
    private readonly metrics: ServerMetrics,
  ) {
    this.timed = metrics.timesDelivery;
  }

  deliver(message: AdapterPublish): void {
    const app = this.registry.get(message.appId);
    if (!app) return;
    // Every source hands its message over synchronously: this is its arrival at the node.
    const arrivedAt = this.timed ? performance.now() : 0;
    const except = message.exceptSocketId;
    const maxBuffered = this.maxBuffered;
    let recipients = 0;
    // Built at the first real send: a publish nobody here receives (only the excluded
    // sender subscribed, or no subscriber) escapes and encodes nothing.
    let frames: ChannelFrames | undefined;
    for (const channel of message.channels) {
      const subscribers = app.channels.get(channel);
      if (subscribers === undefined) continue;
      let frame: Buffer | undefined;
      for (const conn of subscribers) {
        if (conn.socketId === except) continue;
        const ws = conn.ws;
        if (ws.readyState !== 1) continue;
        if (ws.bufferedAmount > maxBuffered && this.overCapacity(ws, maxBuffered)) {
          conn.close(CloseCode.OVER_CAPACITY, EngineMessages.slowConsumer());
          app.metrics.slowConsumerClosed();
          continue;
        }
        const socket = (ws as unknown as { _socket: Socket })._socket;
        // Corked outside ws.send means corked by us this turn: ws's Sender corks and uncorks
        // within one call, and nothing else corks a WebSocket's TCP socket.
        if (socket.writableCorked === 0) {
          socket.cork();
          if (this.corked.push(socket) === 1) setImmediate(this.flush);
        }
        frame ??= Buffer.from(
          (frames ??= new ChannelFrames(message.event, message.data, message.userId)).frame(
            channel,
          ),
        );
        ws.send(frame, TEXT);
        recipients++;
      }
    }
    if (recipients > 0) app.metrics.fannedOut(recipients, arrivedAt);
  }

  /**
   * Over the limit counting this turn's corked bytes, which are ours, not the client's
   * backlog: flush them to the kernel, then judge by what it refused. Without this, a
   * reading client sent more than `maxBufferedBytes` in one turn would be closed.
   */
  private overCapacity(ws: WebSocket, maxBuffered: number): boolean {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    if (socket.writableCorked > 0) socket.uncork();
    return ws.bufferedAmount > maxBuffered;
  }
}
