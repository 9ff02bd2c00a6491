import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerLogger } from '../../shared/logger.js';
import { HttpApiError } from './http-api-error.js';
import { HttpApiMessages } from './http-api-messages.js';
import { pathOf } from './http-api-routes.js';

/** Writes a JSON answer with its length, so keep-alive clients need no chunked decoding. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

/**
 * The one mapping from a failure to an answer. An {@link HttpApiError} is the caller's
 * mistake: its status and message go back, unlogged. Anything else is the server's: the
 * caller gets a bare 500 (no internals leak) and the log gets the cause. Once headers are
 * out, no answer fits any more, so the connection is cut.
 */
export function sendFailure(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  logger: ServerLogger,
): void {
  const known = error instanceof HttpApiError;
  if (!known) logger.error(HttpApiMessages.requestFailed(req.method, pathOf(req.url!), error));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!known) return sendJson(res, 500, { error: HttpApiMessages.internalError() });
  sendJson(res, error.status, { error: error.message }, errorHeaders(error));
}

function errorHeaders(error: HttpApiError): Record<string, string> {
  if (error.allow !== undefined) return { allow: error.allow };
  // Close rather than drain the rest of an oversized upload.
  if (error.status === 413) return { connection: 'close' };
  return {};
}
