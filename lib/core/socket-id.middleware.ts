import { Injectable, type NestMiddleware } from '@nestjs/common';
import { runWithSocketId, SOCKET_ID_HEADER } from './socket-id.context.js';

type IncomingRequest = { headers: Record<string, string | string[] | undefined> };

/**
 * Remembers the request's X-Socket-ID for `toOthers()`. Works on Express and on Fastify
 * (whose middleware sees the raw Node request), because it only reads a header.
 */
@Injectable()
export class SocketIdMiddleware implements NestMiddleware {
  use(req: IncomingRequest, _res: unknown, next: (error?: unknown) => void): void {
    const header = req.headers[SOCKET_ID_HEADER];
    runWithSocketId(Array.isArray(header) ? header[0] : header, () => next());
  }
}
