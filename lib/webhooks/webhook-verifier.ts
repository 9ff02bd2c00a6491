import type { WebhookApp } from './broadcast-webhook-options.interface.js';
import type { WebhookBody } from './webhook-event.js';
import { WebhookReceiverMessages } from './webhook-receiver-messages.js';
import { isValidWebhookSignature } from './webhook-signature.js';

export type VerifiedWebhook =
  | { ok: true; app: WebhookApp; body: WebhookBody; signature: string }
  | { ok: false; status: 400 | 401; reason: string };

/**
 * Checks one webhook request as Pusher's SDK does: the app by `X-Pusher-Key`, the
 * `X-Pusher-Signature` against the raw bytes received (re-serialized JSON would not match),
 * then the body's shape. `headers` are lower-case, as Node and Fastify give them.
 */
export function verifyWebhook(
  apps: readonly WebhookApp[],
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
): VerifiedWebhook {
  const app = apps.find((candidate) => candidate.key === headers['x-pusher-key']);
  if (!app) return { ok: false, status: 401, reason: WebhookReceiverMessages.unknownKey };
  const signature = headers['x-pusher-signature'];
  if (!isValidWebhookSignature(app.secret, rawBody, signature))
    return { ok: false, status: 401, reason: WebhookReceiverMessages.badSignature };
  let body: WebhookBody;
  try {
    body = JSON.parse(rawBody.toString('utf8')) as WebhookBody;
  } catch {
    return { ok: false, status: 400, reason: WebhookReceiverMessages.notJson };
  }
  if (typeof body?.time_ms !== 'number' || !Array.isArray(body.events))
    return { ok: false, status: 400, reason: WebhookReceiverMessages.notJson };
  return { ok: true, app, body, signature: signature as string };
}
