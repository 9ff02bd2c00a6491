import { HttpApiMessages } from './http-api-messages.js';

/**
 * A refused HTTP API request. Carries the status Pusher's API uses for the same mistake
 * (400 malformed, 401 signature, 403 disabled app, 404 unknown app or route, 405 method,
 * 413 too large) and a message telling the caller what to fix. Never contains a secret.
 */
export class HttpApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413,
    message: string,
    /** The methods the path takes, for the `Allow` header of a 405. */
    readonly allow?: string,
  ) {
    super(message);
    this.name = 'HttpApiError';
  }
}

export const badRequest = (message: string) => new HttpApiError(400, message);
export const unauthorized = (message: string) => new HttpApiError(401, message);
export const forbidden = (message: string) => new HttpApiError(403, message);
export const notFound = (message: string) => new HttpApiError(404, message);
export const methodNotAllowed = (allow: string, message: string) =>
  new HttpApiError(405, message, allow);
export const payloadTooLarge = (message: string) => new HttpApiError(413, message);

/** The error the body reader raises past its cap (see shared/read-request-body). */
export const bodyTooLarge = (maxBytes: number) =>
  payloadTooLarge(HttpApiMessages.bodyTooLarge(maxBytes));
