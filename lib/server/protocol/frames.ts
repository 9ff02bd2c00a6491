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
  const user = userId === undefined ? '' : `,"user_id":${JSON.stringify(userId)}`;
  return `{"event":${JSON.stringify(event)},"channel":${JSON.stringify(channel)},"data":${JSON.stringify(data)}${user}}`;
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

/** What pusher-js emits as `pusher:subscription_error` and Echo's `.error()` receives. */
export function subscriptionError(channel: string, error: string, status: number): string {
  return JSON.stringify({
    event: 'pusher:subscription_error',
    channel,
    data: JSON.stringify({ type: 'AuthError', error, status }),
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
