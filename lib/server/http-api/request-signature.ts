import { md5Hex, safeEqualHex, signHttpRequest } from '../../shared/pusher-protocol/signatures.js';
import { unauthorized } from './http-api-error.js';
import { HttpApiMessages } from './http-api-messages.js';
import type { HttpApiApp } from '../engine/engine-surface.js';
import type { RequestQuery } from './request-query.js';

/** How far `auth_timestamp` may be from the server's clock, as Pusher allows. */
export const MAX_CLOCK_SKEW_SECONDS = 600;

/**
 * Verifies Pusher's query-signature authentication of an HTTP API request: `auth_key`,
 * `auth_timestamp` within {@link MAX_CLOCK_SKEW_SECONDS}, `auth_version` 1.0, `body_md5` of
 * a non-empty body, and `auth_signature` (HMAC-SHA256 of `METHOD\nPATH\nsorted query`)
 * compared in constant time. Throws a 401 {@link HttpApiError} naming what is wrong.
 */
export function verifyRequestSignature(
  app: HttpApiApp,
  method: string,
  path: string,
  query: RequestQuery,
  body: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): void {
  const q = query.decoded;
  if (!q.auth_signature) throw unauthorized(HttpApiMessages.missingSignature());
  if (!q.auth_key) throw unauthorized(HttpApiMessages.missingKey());
  if (q.auth_key !== app.key) throw unauthorized(HttpApiMessages.keyMismatch());
  if (q.auth_version !== undefined && q.auth_version !== '1.0')
    throw unauthorized(HttpApiMessages.badAuthVersion(q.auth_version));

  const timestamp = Number(q.auth_timestamp);
  if (!q.auth_timestamp || !Number.isInteger(timestamp))
    throw unauthorized(HttpApiMessages.missingTimestamp());
  if (Math.abs(nowSeconds - timestamp) > MAX_CLOCK_SKEW_SECONDS)
    throw unauthorized(HttpApiMessages.clockSkew(nowSeconds - timestamp, MAX_CLOCK_SKEW_SECONDS));

  if (body.length > 0 || q.body_md5 !== undefined) {
    if (!q.body_md5) throw unauthorized(HttpApiMessages.missingBodyMd5());
    if (!safeEqualHex(md5Hex(body), q.body_md5.toLowerCase()))
      throw unauthorized(HttpApiMessages.bodyMd5Mismatch());
  }

  const signature = q.auth_signature.toLowerCase();
  const matches = (values: Record<string, string>) =>
    safeEqualHex(signHttpRequest(app.secret, method, path, values), signature);
  if (!matches(query.decoded) && !matches(query.raw))
    throw unauthorized(HttpApiMessages.badSignature());
}
