import type { BroadcastAuthRequest } from './auth-options.interface.js';

/** The fields pusher-js posts to the auth endpoints. */
export interface AuthRequestFields {
  socketId: unknown;
  channelName: unknown;
}

const MAX_RAW_BODY = 16 * 1024;

/**
 * Reads `socket_id` and `channel_name` from the body the platform parsed (Express and Fastify
 * both parse form-encoded and JSON bodies by default). When the app turned Nest's body parser
 * off, the unread request stream is parsed here instead, so the endpoints keep working.
 */
export async function readAuthFields(req: BroadcastAuthRequest): Promise<AuthRequestFields> {
  let body: unknown = req.body;
  if (body === undefined && isUnreadStream(req)) body = await readStream(req);
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

type ReadableRequest = NodeJS.ReadableStream & { readable: boolean; readableEnded?: boolean };

function isUnreadStream(req: unknown): req is ReadableRequest {
  const stream = req as Partial<ReadableRequest>;
  return typeof stream.on === 'function' && stream.readable === true && !stream.readableEnded;
}

function readStream(stream: ReadableRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_RAW_BODY) chunks.push(Buffer.from(chunk));
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
