/**
 * Server→client frames. Event `data` is always a JSON *string* on the wire, as Pusher
 * sends it; pusher-js parses it. Built with string concatenation around JSON.stringify so
 * a frame costs one allocation.
 */

/** `{"event":e,"channel":c,"data":d}` where `data` is already the JSON string to carry. */
export function channelFrame(
  event: string,
  channel: string,
  data: string,
  userId?: string,
): string {
  return new ChannelFrames(event, data, userId).frame(channel);
}

/**
 * One event's frames for any number of channels: the event name and `data` (up to the
 * 10 KB a publish may carry) are escaped once here, so a publish to 100 channels escapes
 * its payload once, not per channel; each channel's frame only splices in its name.
 */
export class ChannelFrames {
  private readonly head: string;
  private readonly tail: string;

  /** `userId` adds `user_id`, as Pusher does on presence client events. */
  constructor(event: string, data: string, userId?: string) {
    this.head = `{"event":${JSON.stringify(event)},"channel":`;
    const user = userId === undefined ? '' : `,"user_id":${JSON.stringify(userId)}`;
    this.tail = `,"data":${JSON.stringify(data)}${user}}`;
  }

  /** The frame on `channel`, byte for byte what `channelFrame` builds. */
  frame(channel: string): string {
    return this.head + JSON.stringify(channel) + this.tail;
  }
}

export function connectionEstablished(socketId: string, activityTimeout: number): string {
  return eventFrame(
    'pusher:connection_established',
    JSON.stringify({ socket_id: socketId, activity_timeout: activityTimeout }),
  );
}

/**
 * `pusher:error`. Pusher sends this one's data as an object; `code` is null for errors that
 * have no code of their own (bad JSON, unknown event, ...).
 */
export function errorFrame(message: string, code: number | null, channel?: string): string {
  return JSON.stringify({
    event: 'pusher:error',
    ...(channel === undefined ? {} : { channel }),
    data: { code, message },
  });
}

/**
 * What pusher-js emits as `pusher:subscription_error` and Echo's `.error()` receives. `type`
 * is `AuthError` (Pusher's) for a refused authorization, `LimitReached` for a limit.
 */
export function subscriptionError(
  channel: string,
  error: string,
  status: number,
  type: 'AuthError' | 'LimitReached' = 'AuthError',
): string {
  return JSON.stringify({
    event: 'pusher:subscription_error',
    channel,
    data: JSON.stringify({ type, error, status }),
  });
}

export function subscriptionSucceeded(channel: string, data: object = {}): string {
  return channelFrame('pusher_internal:subscription_succeeded', channel, JSON.stringify(data));
}

export function eventFrame(event: string, data: string): string {
  return `{"event":${JSON.stringify(event)},"data":${JSON.stringify(data)}}`;
}

export const PONG_FRAME = '{"event":"pusher:pong","data":"{}"}';
export const PING_FRAME = '{"event":"pusher:ping","data":"{}"}';
