import { md5Hex, safeEqualHex, signHttpRequest } from '../../shared/pusher-protocol/signatures.js';
import { unauthorized } from './http-api-error.js';
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
  if (!q.auth_signature) throw unauthorized('Missing auth_signature query parameter.');
  if (!q.auth_key) throw unauthorized('Missing auth_key query parameter.');
  if (q.auth_key !== app.key) throw unauthorized('auth_key does not match the app of this path.');
  if (q.auth_version !== undefined && q.auth_version !== '1.0')
    throw unauthorized(`Unsupported auth_version "${q.auth_version.slice(0, 20)}"; use 1.0.`);

  const timestamp = Number(q.auth_timestamp);
  if (!q.auth_timestamp || !Number.isInteger(timestamp))
    throw unauthorized('Missing or non-integer auth_timestamp query parameter.');
  if (Math.abs(nowSeconds - timestamp) > MAX_CLOCK_SKEW_SECONDS)
    throw unauthorized(
      `auth_timestamp is ${nowSeconds - timestamp} s from the server's clock; ` +
        `at most ${MAX_CLOCK_SKEW_SECONDS} s is accepted. Check the client's clock.`,
    );

  if (body.length > 0 || q.body_md5 !== undefined) {
    if (!q.body_md5) throw unauthorized('Missing body_md5 query parameter for a request body.');
    if (!safeEqualHex(md5Hex(body), q.body_md5.toLowerCase()))
      throw unauthorized('body_md5 does not match the request body.');
  }

  const signature = q.auth_signature.toLowerCase();
  const matches = (values: Record<string, string>) =>
    safeEqualHex(signHttpRequest(app.secret, method, path, values), signature);
  if (!matches(query.decoded) && !matches(query.raw))
    throw unauthorized(
      'Invalid auth_signature: check the app key and secret the client signs with.',
    );
}
