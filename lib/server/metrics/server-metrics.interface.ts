/**
 * What the engine and the HTTP API report to metrics: a handful of plain calls at fixed
 * points, so they know nothing of Prometheus (prom-client stays out of their imports).
 *
 * The contract that keeps metrics off the hot path's bill:
 * - counting is per event, not per socket write: a fan-out reports its recipient count
 *   once ({@link AppMetrics.fannedOut});
 * - implementations count the per-frame and per-fan-out calls in memory (a field
 *   increment) and turn the counts into metrics when scraped; no call may log or do I/O;
 * - gauges (connections, channels) are not reported at all: they are read from the
 *   engine's own maps at scrape time, through {@link EngineGauges};
 * - with metrics off the engine holds {@link NO_METRICS}, whose methods are empty, so it
 *   pays one call per point and reads no clock.
 */
import type { ChannelKind } from '../../shared/pusher-protocol/channel-names.js';

/** What one app's sockets and fan-outs report. Obtained once per app from {@link ServerMetrics.forApp}. */
export interface AppMetrics {
  /** A socket passed the handshake (key, enabled app, origin) and became a connection. */
  connectionOpened(): void;
  /**
   * A connection closed: with the code the server closed it with, else the one the client
   * sent (1006 when the TCP connection dropped without a close frame).
   */
  connectionClosed(code: number): void;
  /** A frame arrived from a client. */
  messageReceived(): void;
  /** `count` frames were written to this app's sockets (replies, errors, a fan-out's recipients). */
  messagesSent(count: number): void;
  /**
   * One event fanned out to `recipients` (> 0) sockets of this node; its frames leave at the
   * next {@link ServerMetrics.flushed}. `arrivedAt` is the `performance.now()` of the event's
   * arrival at the node, read only when {@link ServerMetrics.timesDelivery} is true.
   */
  fannedOut(recipients: number, arrivedAt: number): void;
  /** A socket was closed with 4100 because its send buffer passed `maxBufferedBytes`. */
  slowConsumerClosed(): void;
  /** A webhook request was answered 2xx. */
  webhookSent(): void;
  /** A webhook was dropped: its retry window ended without a 2xx. */
  webhookFailed(): void;
  /** A webhook was dropped because the app's queue was full (`maxPendingPerApp`). */
  webhookOverflowed(): void;
}

/** This node's state as the gauges read it at scrape time; the engine's channel registry. */
export interface EngineGauges {
  /** The apps served, by id. */
  appIds(): Iterable<string>;
  /** Open sockets of the app on this node. */
  localConnectionCount(appId: string): number;
  /** Occupied channels of the app on this node, by kind. */
  localChannelKinds(appId: string): Map<ChannelKind, number>;
}

/** Metrics as the engine, the HTTP API and the hosts see them. */
export interface ServerMetrics {
  /**
   * True when {@link AppMetrics.fannedOut} wants the arrival time: the fan-out reads the
   * clock only then. Constant for the life of the instance.
   */
  readonly timesDelivery: boolean;
  /** The recorder of one app; the engine asks once per app and keeps it. */
  forApp(appId: string): AppMetrics;
  /** The engine's maps, read on each scrape. Called once by the engine. */
  attach(gauges: EngineGauges): void;
  /** The sockets corked this event-loop turn were uncorked: the turn's fan-outs have left. */
  flushed(): void;
  /**
   * An HTTP API request was answered. `route` is the endpoint (`events`, `batch_events`,
   * `channels`, `channel`, `channel_users`, `terminate_connections`, `up`), or `unknown`
   * when the path matched none.
   */
  httpRequest(route: string, status: number): void;
  /** Where the `webhooks_pending` gauge reads the webhooks waiting per app, on each scrape. */
  watchWebhooks(pending: () => ReadonlyMap<string, number>): void;
}
