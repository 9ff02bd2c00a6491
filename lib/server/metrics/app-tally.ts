import type { AppMetrics } from './server-metrics.interface.js';

/** Arrival times of the fan-outs whose frames wait for this turn's flush. */
export class PendingDeliveries {
  /** Bounded: should no flush come (an engine closed mid-turn), older times are dropped. */
  static readonly MAX = 65_536;
  readonly arrivals: number[] = [];

  add(arrivedAt: number): void {
    if (this.arrivals.length < PendingDeliveries.MAX) this.arrivals.push(arrivedAt);
  }
}

/**
 * One app's counts, kept as plain numbers: the engine's calls are a field increment each,
 * and the scrape turns them into prom-client counters (see PrometheusServerMetrics).
 */
export class AppTally implements AppMetrics {
  opened = 0;
  received = 0;
  sent = 0;
  slowConsumers = 0;
  webhooksSent = 0;
  webhooksFailed = 0;
  webhooksOverflowed = 0;
  /** Close code → connections closed with it. */
  readonly closed = new Map<number, number>();

  constructor(private readonly pending: PendingDeliveries) {}

  connectionOpened(): void {
    this.opened++;
  }

  connectionClosed(code: number): void {
    this.closed.set(code, (this.closed.get(code) ?? 0) + 1);
  }

  messageReceived(): void {
    this.received++;
  }

  messagesSent(count: number): void {
    this.sent += count;
  }

  fannedOut(recipients: number, arrivedAt: number): void {
    this.sent += recipients;
    this.pending.add(arrivedAt);
  }

  slowConsumerClosed(): void {
    this.slowConsumers++;
  }

  webhookSent(): void {
    this.webhooksSent++;
  }

  webhookFailed(): void {
    this.webhooksFailed++;
  }

  webhookOverflowed(): void {
    this.webhooksOverflowed++;
  }
}
