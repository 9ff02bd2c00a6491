import type { ServerAdapter } from '../cluster/server-adapter.interface.js';
import type { ServerEvents } from './server-events.js';

/** Subscription changes on one channel within this window make one `subscription_count`. */
const COALESCE_MS = 250;

/**
 * `subscription_count` events, for apps that turn them on (`subscriptionCountEvents`), as
 * Pusher does: not for presence channels (member events say more there). A burst of
 * subscriptions becomes one event per channel and window, carrying the cluster-wide count
 * read from the adapter once the window closes; the node whose subscriber changed reports.
 */
export class SubscriptionCountReporter {
  private readonly due = new Set<string>();

  constructor(
    private readonly adapter: Pick<ServerAdapter, 'channel'>,
    private readonly events: ServerEvents,
  ) {}

  changed(appId: string, channel: string): void {
    if (!this.events.active) return;
    const key = `${appId}\n${channel}`;
    if (this.due.has(key)) return;
    this.due.add(key);
    setTimeout(() => {
      this.due.delete(key);
      this.adapter.channel(appId, channel).then(
        (stats) =>
          this.events.emit(appId, {
            name: 'subscription_count',
            channel,
            subscription_count: stats.subscriptionCount,
          }),
        () => {}, // The count could not be read: the next change reports it.
      );
    }, COALESCE_MS).unref();
  }
}
