import type { WebhookEvent } from '../../webhooks/webhook-event.js';

/** Pusher's batching: a request carries at most this many events ... */
export const MAX_BATCH_EVENTS = 20;
/** ... and leaves at most this long after its first event. */
export const MAX_BATCH_MS = 250;

export type BatchReady = (key: string, events: WebhookEvent[], timeMs: number) => void;

/**
 * Gathers events per key (app and hook) and hands each batch over once it holds 20 events
 * or its first event is 250 ms old, whichever comes first. One timer per open batch.
 */
export class WebhookBatcher {
  private readonly open = new Map<string, { events: WebhookEvent[]; timer: NodeJS.Timeout }>();

  constructor(private readonly ready: BatchReady) {}

  add(key: string, event: WebhookEvent): void {
    let batch = this.open.get(key);
    if (!batch) {
      const timer = setTimeout(() => this.close(key), MAX_BATCH_MS);
      timer.unref();
      this.open.set(key, (batch = { events: [], timer }));
    }
    batch.events.push(event);
    if (batch.events.length >= MAX_BATCH_EVENTS) this.close(key);
  }

  /** Hands over every open batch now (on shutdown). */
  flush(): void {
    for (const key of [...this.open.keys()]) this.close(key);
  }

  private close(key: string): void {
    const batch = this.open.get(key);
    if (!batch) return;
    this.open.delete(key);
    clearTimeout(batch.timer);
    this.ready(key, batch.events, Date.now());
  }
}
