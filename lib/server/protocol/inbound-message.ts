import { EngineMessages } from '../engine/engine-messages.js';

/** A client frame after parsing: `event` is a string, the rest is unchecked. */
export interface InboundMessage {
  event: string;
  channel?: unknown;
  data?: unknown;
}

/**
 * Parses a client frame, or returns the reason it is not a Pusher message. `data` given as a
 * JSON string (some clients send it that way) is parsed for `pusher:*` events.
 */
export function parseInbound(raw: Buffer | string): InboundMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return EngineMessages.notJson();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return EngineMessages.notAnObject();
  const message = value as Record<string, unknown>;
  if (typeof message.event !== 'string' || message.event.length === 0)
    return EngineMessages.noEventName();
  if (message.event.startsWith('pusher:') && typeof message.data === 'string') {
    try {
      message.data = JSON.parse(message.data);
    } catch {
      // left as a string; the handler reports the missing fields
    }
  }
  return message as unknown as InboundMessage;
}

/** `data` as an object whose fields can be read, or undefined. */
export function dataObject(message: InboundMessage): Record<string, unknown> | undefined {
  const data = message.data;
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : undefined;
}
