import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Pusher-Signature`: hex HMAC-SHA256 of the raw body with the app secret. */
export function signWebhook(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Constant-time check of a received signature against the raw body. */
export function isValidWebhookSignature(
  secret: string,
  rawBody: string | Buffer,
  signature: unknown,
): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signWebhook(secret, rawBody), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
