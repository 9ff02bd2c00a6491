import type { PendingWebhook } from './pending-webhook.js';

/**
 * Where webhooks wait between attempts. Every webhook has a due time; a node that takes one
 * to send moves its due time past the attempt (a lease), so no other node sends it meanwhile,
 * and a node that dies mid-attempt leaves it due again once the lease runs out. In memory on
 * a single node; in Redis with scaling, so a surviving node sends what a dead one held.
 */
export interface WebhookStore {
  /** Adds a webhook due at `dueAt`; false (nothing stored) when the app already has `cap` waiting. */
  add(webhook: PendingWebhook, dueAt: number, cap: number): Promise<boolean>;
  /** At most `limit` of the app's webhooks due by `now`, each leased until `leaseUntil`. */
  claimDue(
    appId: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<PendingWebhook[]>;
  /** Delivered or given up: gone for good. */
  remove(webhook: PendingWebhook): Promise<void>;
  /** Failed: due again at `dueAt` with its attempt count. Nothing if another node removed it. */
  retryAt(webhook: PendingWebhook, dueAt: number): Promise<void>;
  /** Webhooks of the app waiting, leased ones included. */
  pending(appId: string): Promise<number>;
}
