import type { ServerWebhookOptions } from '../options/server-options.interface.js';
import type { WebhookEvent } from '../../webhooks/webhook-event.js';

/**
 * Whether one hook carries the event: its `eventTypes` (every type when omitted; a
 * `subscription_count` is only ever produced for apps that turn it on) and its channel name
 * filters. The batch a hook sends holds exactly the events this accepts.
 */
export function webhookAccepts(hook: ServerWebhookOptions, event: WebhookEvent): boolean {
  if (hook.eventTypes && !hook.eventTypes.includes(event.name)) return false;
  const filter = hook.filter;
  if (!filter) return true;
  if (filter.channelNameStartsWith && !event.channel.startsWith(filter.channelNameStartsWith))
    return false;
  if (filter.channelNameEndsWith && !event.channel.endsWith(filter.channelNameEndsWith))
    return false;
  return true;
}
