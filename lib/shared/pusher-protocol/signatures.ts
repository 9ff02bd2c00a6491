import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Pusher Channels signatures: HMAC-SHA256, hex, keyed by the app secret. Shared by the
 * auth endpoints (which sign), the server (which verifies) and the HTTP API.
 */
export function hmacHex(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

/** Constant-time comparison of two hex signatures (false on any length mismatch). */
export function safeEqualHex(expected: string, actual: unknown): boolean {
  if (typeof actual !== 'string' || actual.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
}

/** The string signed for a private or presence subscription. */
export function channelAuthString(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined
    ? `${socketId}:${channel}`
    : `${socketId}:${channel}:${channelData}`;
}

/** The string signed for `pusher:signin` (user authentication). */
export function userAuthString(socketId: string, userData: string): string {
  return `${socketId}::user::${userData}`;
}

/** `key:signature`, the `auth` field pusher-js sends in `pusher:subscribe`. */
export function signChannel(
  key: string,
  secret: string,
  socketId: string,
  channel: string,
  channelData?: string,
): string {
  return `${key}:${hmacHex(secret, channelAuthString(socketId, channel, channelData))}`;
}

/** The `auth` field of `pusher:signin`: signs {@link userAuthString}. */
export function signUser(key: string, secret: string, socketId: string, userData: string): string {
  return `${key}:${hmacHex(secret, userAuthString(socketId, userData))}`;
}

/** Verifies a `key:signature` auth field against the expected key and signed string. */
export function verifyAuth(key: string, secret: string, signed: string, auth: unknown): boolean {
  if (typeof auth !== 'string') return false;
  const colon = auth.indexOf(':');
  if (colon < 0 || auth.slice(0, colon) !== key) return false;
  return safeEqualHex(hmacHex(secret, signed), auth.slice(colon + 1));
}

export function md5Hex(body: string | Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

/**
 * The string signed for the HTTP API: `METHOD\nPATH\nk=v&...` with the query keys
 * sorted, `auth_signature` left out, and values not URL-escaped (Pusher's rule).
 */
export function httpSignatureString(
  method: string,
  path: string,
  query: Record<string, string>,
): string {
  const params = Object.keys(query)
    .filter((k) => k !== 'auth_signature')
    .map((k) => [k.toLowerCase(), query[k]] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${method.toUpperCase()}\n${path}\n${params}`;
}

export function signHttpRequest(
  secret: string,
  method: string,
  path: string,
  query: Record<string, string>,
): string {
  return hmacHex(secret, httpSignatureString(method, path, query));
}
