import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeException } from '@nestjs/common';
import { readRequestBody } from '../shared/read-request-body.js';
import type { BroadcastAuthRequest } from './auth-options.interface.js';

/** The fields pusher-js posts to the auth endpoints. */
export interface AuthRequestFields {
  socketId: unknown;
  channelName: unknown;
}

/**
 * Largest body read from an unparsed request stream. pusher-js posts only `socket_id`,
 * `channel_name` and the app's own auth params, far below this.
 */
export const MAX_AUTH_BODY_BYTES = 16 * 1024;

const tooLarge = (maxBytes: number) =>
  new PayloadTooLargeException(
    `The auth request body is larger than ${maxBytes} bytes. The auth endpoints expect only ` +
      "socket_id and channel_name (and any params set in the client's auth options).",
  );

/**
 * Reads `socket_id` and `channel_name` from the body the platform parsed (Express and Fastify
 * both parse form-encoded and JSON bodies by default). When the app turned Nest's body parser
 * off, the unread request stream is read here instead (at most {@link MAX_AUTH_BODY_BYTES},
 * else 413), so the endpoints keep working.
 */
export async function readAuthFields(req: BroadcastAuthRequest): Promise<AuthRequestFields> {
  let body: unknown = req.body;
  if (body === undefined && isUnreadStream(req))
    body = await readRequestBody(req, MAX_AUTH_BODY_BYTES, tooLarge);
  if (typeof body === 'string' || Buffer.isBuffer(body)) body = parseText(body.toString());
  if (typeof body !== 'object' || body === null)
    return { socketId: undefined, channelName: undefined };
  const fields = body as Record<string, unknown>;
  return { socketId: fields.socket_id, channelName: fields.channel_name };
}

function parseText(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(trimmed));
}

/** A request whose body nobody read: Express with Nest's body parser off. */
function isUnreadStream(req: unknown): req is IncomingMessage {
  const stream = req as Partial<IncomingMessage>;
  return typeof stream.on === 'function' && stream.readable === true && !stream.readableEnded;
}
