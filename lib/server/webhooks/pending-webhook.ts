import { randomBytes } from 'node:crypto';
import type { ResolvedAppOptions } from '../options/resolved-server-options.interface.js';
import type { ServerWebhookOptions } from '../options/server-options.interface.js';
import type { WebhookBody, WebhookEvent } from '../../webhooks/webhook-event.js';
import { signWebhook } from '../../webhooks/webhook-signature.js';

/**
 * One webhook request, signed and ready to (re)send: what the store keeps. Signed when the
 * batch closes, so the app secret never sits in a store (Redis), and every retry sends the
 * same bytes with the same signature: the receiver can tell a duplicate by it.
 */
export interface PendingWebhook {
  /** Random; the store's key. */
  id: string;
  appId: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** When it was first due; the retry window counts from here. */
  createdAt: number;
  /** Attempts made so far. */
  attempts: number;
}

/** The signed request for one hook's batch of events. */
export function pendingWebhook(
  app: Pick<ResolvedAppOptions, 'id' | 'key' | 'secret'>,
  hook: ServerWebhookOptions,
  events: WebhookEvent[],
  timeMs: number,
): PendingWebhook {
  const body = JSON.stringify({ time_ms: timeMs, events } satisfies WebhookBody);
  return {
    id: randomBytes(9).toString('base64url'),
    appId: app.id,
    url: hook.url,
    // The hook's own headers first: the three Pusher headers always win.
    headers: {
      ...withoutReserved(hook.headers),
      'Content-Type': 'application/json',
      'X-Pusher-Key': app.key,
      'X-Pusher-Signature': signWebhook(app.secret, body),
    },
    body,
    createdAt: Date.now(),
    attempts: 0,
  };
}

const RESERVED = new Set(['content-type', 'x-pusher-key', 'x-pusher-signature', 'content-length']);

function withoutReserved(headers: Record<string, string> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (!RESERVED.has(name.toLowerCase())) kept[name] = value;
  return kept;
}

/** Delay before attempt `attempts + 1`: 1 s, 2 s, 4 s, ... at most a minute. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}
