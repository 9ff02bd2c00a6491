/**
 * Every message the protocol engine sends a client: `pusher:error` texts, subscription
 * errors and WebSocket close reasons, in one place so wording stays consistent and each
 * says what to do next. Clients (and their developers) read these, so none may carry an
 * app secret. Close reasons over 120 characters are cut (the WebSocket limit is 123 bytes).
 */
import { MAX_EVENT_NAME_LENGTH } from '../../shared/pusher-protocol/channel-names.js';

/** How a subscription's `auth` is made; each bad-signature message adds the signed string. */
const SIGN_HINT = 'sign it with your app secret at your auth endpoint (key:HMAC-SHA256)';

export const EngineMessages = {
  // ---- handshake and connection lifecycle (close reasons) ----------------------------
  unknownAppKey: (key: string) => `App key ${key.slice(0, 40)} not in this cluster.`,
  appDisabled: () => 'App is disabled.',
  unsupportedProtocol: () => 'Unsupported protocol version: use 7.',
  originNotAllowed: (origin: string | undefined) =>
    `Origin ${origin ? origin.slice(0, 60) : '(none)'} is not in allowedOrigins.`,
  overConnectionQuota: () => 'Over connection quota.',
  serverClosing: () => 'server closing',
  pongTimeout: () => 'Pong reply not received in time.',
  slowConsumer: () => 'slow consumer: send buffer over maxBufferedBytes',
  backlogFull: () => 'Too many messages while a subscription was pending.',
  terminatedByApp: () => 'Connection terminated by the app.',

  // ---- inbound frames ----------------------------------------------------------------
  notJson: () => 'Malformed message: frames must be JSON like {"event":"pusher:ping","data":{}}.',
  notAnObject: () => 'Malformed message: a frame must be a JSON object with an "event" field.',
  noEventName: () => 'Malformed message: the "event" field must be a non-empty string.',
  binaryFrame: () => 'Binary frames are not supported: send JSON text.',
  unknownEvent: (event: string) => `Unknown event ${JSON.stringify(event.slice(0, 60))}.`,

  // ---- subscriptions -----------------------------------------------------------------
  subscribeNeedsChannel: () => 'pusher:subscribe needs data.channel, the channel name to join.',
  unsubscribeNeedsChannel: () => 'pusher:unsubscribe needs data.channel.',
  invalidChannelName: (problem: string) => `Invalid channel name: ${problem}.`,
  serverToUserOnly: (channel: string) =>
    `Only the signed-in user may subscribe to ${channel}: call pusher:signin first.`,
  badChannelSignature: (channel: string) =>
    `Invalid signature for ${channel}: ${SIGN_HINT} over "socket_id:channel".`,
  presenceNeedsChannelData: (channel: string) =>
    `Presence channel ${channel} needs channel_data (a JSON string with user_id).`,
  badPresenceSignature: (channel: string) =>
    `Invalid signature for ${channel}: ${SIGN_HINT} over "socket_id:channel:channel_data".`,
  presenceDataTooLarge: (maxBytes: number) =>
    `Presence channel_data is larger than ${maxBytes} bytes: send less user_info.`,
  presenceBadUserId: () => 'Presence channel_data must be JSON with a user_id string or number.',
  presenceFull: (channel: string, maxMembers: number) =>
    `Presence channel ${channel} is full (${maxMembers} members).`,
  tooManyChannels: (channel: string, max: number) =>
    `Not subscribed to ${channel}: this connection is on ${max} channels already ` +
    `(limits.maxChannelsPerConnection). Unsubscribe from one first.`,

  // ---- client events -----------------------------------------------------------------
  clientEventsDisabled: () =>
    'Client events are disabled for this app (enableClientMessages: false).',
  clientEventNeedsChannel: (event: string) =>
    `Client event ${event.slice(0, 60)} needs a "channel" field.`,
  eventNameTooLong: () => `Event names are at most ${MAX_EVENT_NAME_LENGTH} characters.`,
  clientEventChannelKind: () => 'Client events are only allowed on private and presence channels.',
  subscribeBeforeClientEvents: (channel: string) =>
    `Subscribe to ${channel.slice(0, 60)} before sending client events on it.`,
  clientEventRateLimit: (perSecond: number) =>
    `Client event rejected due to rate limit (${perSecond} per second).`,
  clientEventTooLarge: (maxBytes: number) => `Client event data is larger than ${maxBytes} bytes.`,

  // ---- user sign-in (close reasons) --------------------------------------------------
  badSigninSignature: () =>
    'Invalid pusher:signin: auth must sign "socket_id::user::user_data" with the app secret.',
  signinNeedsStringId: () => 'pusher:signin user_data must be JSON with a string id.',
};

/**
 * The engine's lines for the operator's log, all at `debug` (a line per connection and per
 * subscription is too many for `info`). Socket ids, app ids, channel names and close codes
 * only: never a payload, a signature or a secret.
 */
export const EngineLogMessages = {
  connectionOpened: (socketId: string, appId: string, address: string | undefined) =>
    `Connection ${socketId} opened on app ${appId}${address ? ` from ${address}` : ''}.`,
  connectionRefused: (appKey: string, code: number, reason: string) =>
    `Connection refused on app key ${appKey.slice(0, 40)} with ${code}: ${reason}`,
  connectionClosed: (socketId: string, appId: string, code: number) =>
    `Connection ${socketId} on app ${appId} closed with ${code}.`,
  subscribed: (socketId: string, channel: string) => `Socket ${socketId} subscribed to ${channel}.`,
  subscriptionRefused: (socketId: string, channel: string, status: number, error: string) =>
    `Socket ${socketId} refused ${channel} (${status}): ${error}`,
  unsubscribed: (socketId: string, channel: string) => `Socket ${socketId} left ${channel}.`,
};
