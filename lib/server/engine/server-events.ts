import { randomBytes } from 'node:crypto';
import type { WebhookEvent } from '../../webhooks/webhook-event.js';

/** One event of the engine's stream: what a webhook carries, plus its app, time and identity. */
export interface ServerEvent {
  appId: string;
  event: WebhookEvent;
  /** `Date.now()` when the node recorded it. */
  timeMs: number;
  /** Unique per event (this engine's id and a sequence number). */
  id: string;
}

export type ServerEventListener = (event: ServerEvent) => void;

/**
 * The engine's small typed stream of what webhooks report (occupied, vacated, members,
 * client events, cache misses, subscription counts), consumed by the webhook dispatcher and
 * the Nest EventEmitter2 bridge. Emitted only at occupancy and membership changes and
 * client events, never per delivery, so fan-out pays nothing for it; without a listener an
 * emit is one length check. A listener that throws is ignored: it must not break the
 * subscribe path that emitted.
 */
export class ServerEvents {
  private readonly listeners: ServerEventListener[] = [];
  private readonly origin = randomBytes(4).toString('hex');
  private sequence = 0;

  /** Whether anything listens (callers may skip building an event). */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  on(listener: ServerEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  emit(appId: string, event: WebhookEvent): void {
    if (this.listeners.length === 0) return;
    const recorded: ServerEvent = {
      appId,
      event,
      timeMs: Date.now(),
      id: `${this.origin}-${++this.sequence}`,
    };
    for (const listener of this.listeners) {
      try {
        listener(recorded);
      } catch {
        // See the class comment.
      }
    }
  }
}
