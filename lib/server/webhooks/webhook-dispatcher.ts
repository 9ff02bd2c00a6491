import type { ServerLogger } from '../../shared/logger.js';
import type { ServerEvent, ServerEvents } from '../engine/server-events.js';
import type { ServerMetrics } from '../metrics/server-metrics.interface.js';
import type { ResolvedAppOptions } from '../options/resolved-server-options.interface.js';
import type { ServerWebhookDeliveryOptions } from '../options/server-options.interface.js';
import type { WebhookEvent } from '../../webhooks/webhook-event.js';
import { MemoryWebhookStore } from './memory-webhook-store.js';
import { pendingWebhook, retryDelayMs, type PendingWebhook } from './pending-webhook.js';
import { WebhookBatcher } from './webhook-batcher.js';
import { webhookAccepts } from './webhook-filter.js';
import { shownUrl, WebhookMessages } from './webhook-messages.js';
import { sendWebhook, type WebhookOutcome } from './webhook-sender.js';
import type { WebhookStore } from './webhook-store.interface.js';

/** Most requests open at once on this node: a receiver that hangs holds no more sockets. */
const MAX_IN_FLIGHT = 64;
/** How often this node looks for webhooks due (retries, and those a dead node held). */
const POLL_MS = 500;
/** A lease outlives an attempt by this much, so a slow attempt is not sent twice. */
const LEASE_MARGIN_MS = 5_000;

export interface WebhookDispatcherOptions {
  apps: readonly ResolvedAppOptions[];
  delivery: Required<ServerWebhookDeliveryOptions>;
  /** Where webhooks wait; Redis with scaling. @default in memory */
  store?: WebhookStore;
  logger: ServerLogger;
  metrics: Pick<ServerMetrics, 'forApp'>;
}

/**
 * Turns the engine's event stream into webhooks: each event goes to the batch of every hook
 * of its app that accepts it (webhook-filter.ts); a closed batch is signed, stored and sent
 * at once; a failure is retried with exponential backoff (1 s, 2 s, ... a minute) until the
 * retry window ends, then dropped with a warning and counted. Sending happens off the
 * fan-out path entirely: the engine only calls {@link receive} at occupancy and membership
 * changes and client events, which appends to a batch.
 */
export class WebhookDispatcher {
  /** Apps with webhooks, by id. */
  private readonly apps = new Map<string, ResolvedAppOptions>();
  private readonly batcher = new WebhookBatcher((key, events, timeMs) =>
    this.enqueue(key, events, timeMs),
  );
  private readonly store: WebhookStore;
  /** Where webhooks wait while the store (Redis) does not answer. */
  private readonly local = new MemoryWebhookStore();
  private readonly running = new Set<Promise<void>>();
  private readonly pendingByApp = new Map<string, number>();
  private readonly warned = new Set<string>();
  private inFlight = 0;
  private polling = false;
  private readonly timer: NodeJS.Timeout;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;

  private constructor(private readonly options: WebhookDispatcherOptions) {
    for (const app of options.apps) if (app.webhooks.length > 0) this.apps.set(app.id, app);
    this.store = options.store ?? this.local;
    this.timeoutMs = options.delivery.timeoutSeconds * 1000;
    this.leaseMs = this.timeoutMs + LEASE_MARGIN_MS;
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  /** A dispatcher listening to `events`, or undefined when no app has a webhook (no listener, no cost). */
  static start(
    events: ServerEvents,
    options: WebhookDispatcherOptions,
  ): WebhookDispatcher | undefined {
    if (!options.apps.some((app) => app.webhooks.length > 0)) return undefined;
    const dispatcher = new WebhookDispatcher(options);
    dispatcher.stopListening = events.on((event) => dispatcher.receive(event));
    return dispatcher;
  }

  private stopListening = () => {};

  /** Webhooks waiting per app as last counted (sampled each poll), for the gauge. */
  pending(): ReadonlyMap<string, number> {
    return this.pendingByApp;
  }

  receive({ appId, event }: ServerEvent): void {
    const hooks = this.apps.get(appId)?.webhooks ?? [];
    for (let i = 0; i < hooks.length; i++)
      if (webhookAccepts(hooks[i], event)) this.batcher.add(`${appId}\n${i}`, event);
  }

  /**
   * Stops listening and polling, closes the open batches into the store and waits for the
   * attempts under way (bound it with the shutdown's grace). With Redis, what is still
   * pending stays there for the other nodes.
   */
  async close(): Promise<void> {
    this.stopListening();
    clearInterval(this.timer);
    this.batcher.flush();
    // enqueue() is async: let the flushed batches reach their first attempt.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private enqueue(key: string, events: WebhookEvent[], timeMs: number): void {
    const [appId, index] = key.split('\n');
    const app = this.apps.get(appId)!;
    const webhook = pendingWebhook(app, app.webhooks[Number(index)], events, timeMs);
    const now = Date.now();
    const sendNow = this.inFlight < MAX_IN_FLIGHT;
    const dueAt = sendNow ? now + this.leaseMs : now;
    const cap = this.options.delivery.maxPendingPerApp;
    const task = this.store
      .add(webhook, dueAt, cap)
      .then(
        (added) => ({ added, store: this.store }),
        async (error) => {
          this.warnOnce('store', WebhookMessages.storeFailed(error));
          return { added: await this.local.add(webhook, dueAt, cap), store: this.local };
        },
      )
      .then(({ added, store }) => {
        if (!added) {
          this.options.metrics.forApp(appId).webhookOverflowed();
          this.warnOnce(`overflow:${appId}`, WebhookMessages.overflow(appId, cap));
        } else if (sendNow) this.attempt(webhook, store);
      });
    this.track(task);
  }

  private attempt(webhook: PendingWebhook, store: WebhookStore): void {
    this.inFlight++;
    const task = sendWebhook(webhook, this.timeoutMs)
      .then((outcome) => this.settle(webhook, store, outcome))
      .catch(() => {})
      .finally(() => this.inFlight--);
    this.track(task);
  }

  private async settle(webhook: PendingWebhook, store: WebhookStore, outcome: WebhookOutcome) {
    const metrics = this.options.metrics.forApp(webhook.appId);
    if (outcome.ok) {
      metrics.webhookSent();
      this.warned.delete(`overflow:${webhook.appId}`);
      return store.remove(webhook).catch(() => {});
    }
    webhook.attempts++;
    const now = Date.now();
    const retryAt = now + retryDelayMs(webhook.attempts);
    const windowSeconds = this.options.delivery.retryWindowSeconds;
    if (retryAt > webhook.createdAt + windowSeconds * 1000) {
      metrics.webhookFailed();
      this.options.logger.warn(
        WebhookMessages.dropped(
          webhook.appId,
          shownUrl(webhook.url),
          webhook.attempts,
          windowSeconds,
          outcome.reason,
        ),
        { appId: webhook.appId, url: shownUrl(webhook.url), attempts: webhook.attempts },
      );
      return store.remove(webhook).catch(() => {});
    }
    return store.retryAt(webhook, retryAt).catch(async (error) => {
      this.warnOnce('store', WebhookMessages.storeFailed(error));
      await this.local.add(webhook, retryAt, Number.MAX_SAFE_INTEGER);
    });
  }

  /** Sends what is due: retries, and webhooks a node that died had leased. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    const stores = this.store === this.local ? [this.store] : [this.store, this.local];
    for (const appId of this.apps.keys()) {
      let pending = 0;
      for (const store of stores) {
        try {
          const now = Date.now();
          const free = MAX_IN_FLIGHT - this.inFlight;
          const due = free > 0 ? await store.claimDue(appId, now, now + this.leaseMs, free) : [];
          for (const webhook of due) this.attempt(webhook, store);
          pending += await store.pending(appId);
        } catch {
          // Redis unreachable: the next poll tries again; nothing is lost from the store.
        }
      }
      this.pendingByApp.set(appId, pending);
    }
    this.polling = false;
  }

  private track(task: Promise<void>): void {
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  /** One warning per kind of trouble until it clears, not one per webhook. */
  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.options.logger.warn(message);
  }
}
