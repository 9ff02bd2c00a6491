import type { IncomingMessage } from 'node:http';
import { readRequestBody as readCappedBody } from '../../shared/read-request-body.js';
import { HttpApiError } from './http-api-error.js';

const tooLarge = (maxBytes: number) =>
  new HttpApiError(
    413,
    `Request body is larger than ${maxBytes} bytes; send fewer or smaller events.`,
  );

/** The HTTP API's body reader: over `maxBytes` it answers 413 (see shared/read-request-body). */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return readCappedBody(req, maxBytes, tooLarge);
}
