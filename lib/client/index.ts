// Public API of `nestjs-broadcasting/client`: typed listening in the browser, on the user's
// own laravel-echo or pusher-js. It imports neither, no Node built-in and nothing from Nest.
export {
  joinPresence,
  listen,
  listenForWhisper,
  whisper,
  type ListenOptions,
  type PresenceChannelContract,
  type PresenceHandlers,
  type SubscriptionError,
} from './listen.js';
export type {
  BroadcastClient,
  EchoChannelLike,
  EchoLike,
  EchoPresenceChannelLike,
  EchoWhisperChannelLike,
  PusherChannelLike,
  PusherLike,
  StopListening,
} from './client-like.interface.js';
export type {
  EchoEvents,
  EventContract,
  MemberOf,
  ParamsOf,
  PayloadOf,
  WhisperContract,
} from '../contract/event-contract.js';
