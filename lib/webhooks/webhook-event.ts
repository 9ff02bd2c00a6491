/**
 * The events of a Pusher webhook, as they travel in its body: one vocabulary shared by the
 * server that sends them (lib/server/webhooks), the Nest events it emits, and the receiver
 * module of apps that only publish.
 */

/** Every event name a webhook can carry, in Pusher's spelling. */
export const WEBHOOK_EVENT_NAMES = [
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
  'cache_miss',
  'subscription_count',
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

/** One event of a webhook body (`events[i]`); fields beyond `name` and `channel` by kind. */
export interface WebhookEvent {
  name: WebhookEventName;
  channel: string;
  /** member_added, member_removed; client_event on presence channels. */
  user_id?: string;
  /** client_event: the client's event name (`client-typing`). */
  event?: string;
  /** client_event: the data as the client sent it (a JSON string). */
  data?: string;
  /** client_event: the sender's socket. */
  socket_id?: string;
  /** subscription_count: subscriptions to the channel, cluster-wide. */
  subscription_count?: number;
}

/** A webhook request's body: `{"time_ms": <ms>, "events": [...]}`. */
export interface WebhookBody {
  time_ms: number;
  events: WebhookEvent[];
}
