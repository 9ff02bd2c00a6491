import type { PendingWebhook } from './pending-webhook.js';
import type { WebhookStore } from './webhook-store.interface.js';

/** The {@link WebhookStore} of a node without scaling (and the fallback while Redis is away). */
export class MemoryWebhookStore implements WebhookStore {
  private readonly apps = new Map<
    string,
    Map<string, { webhook: PendingWebhook; dueAt: number }>
  >();

  async add(webhook: PendingWebhook, dueAt: number, cap: number): Promise<boolean> {
    const app = this.app(webhook.appId);
    if (app.size >= cap) return false;
    app.set(webhook.id, { webhook, dueAt });
    return true;
  }

  async claimDue(appId: string, now: number, leaseUntil: number, limit: number) {
    const due: PendingWebhook[] = [];
    for (const entry of this.apps.get(appId)?.values() ?? []) {
      if (due.length >= limit) break;
      if (entry.dueAt > now) continue;
      entry.dueAt = leaseUntil;
      due.push(entry.webhook);
    }
    return due;
  }

  async remove(webhook: PendingWebhook): Promise<void> {
    this.apps.get(webhook.appId)?.delete(webhook.id);
  }

  async retryAt(webhook: PendingWebhook, dueAt: number): Promise<void> {
    const entry = this.apps.get(webhook.appId)?.get(webhook.id);
    if (entry) entry.dueAt = dueAt;
  }

  async pending(appId: string): Promise<number> {
    return this.apps.get(appId)?.size ?? 0;
  }

  private app(appId: string) {
    let app = this.apps.get(appId);
    if (!app) this.apps.set(appId, (app = new Map()));
    return app;
  }
}
