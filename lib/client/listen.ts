import type {
  EventContract,
  MemberOf,
  ParamsOf,
  PayloadInput,
  PayloadOf,
  WhisperContract,
} from '../contract/event-contract.js';
import type { ChannelContract } from '../contract/channel-contract.js';
import { joinChannel } from './client-channel.js';
import type { BroadcastClient, StopListening } from './client-like.interface.js';

/** What a refused subscription reports (pusher-js's `pusher:subscription_error`, Echo's `.error()`). */
export interface SubscriptionError {
  type?: string;
  error?: string;
  /** The auth endpoint's HTTP status: 403 when a `@ChannelAuth` method said no. */
  status?: number;
}

/** Options of {@link listen} and {@link listenForWhisper}. */
export interface ListenOptions {
  /** Called when the auth endpoint refuses the channel. */
  error?(error: SubscriptionError): void;
}

/**
 * Listens for a contract's event: `listen(echo, OrderShipped, { orderId: 1 }, (e) => e.tracking)`.
 * Subscribes to the channel the contract names (prefix and Echo's leading dot handled) and
 * types the payload. Returns a function that stops listening; the last one leaves the channel.
 */
export function listen<E extends EventContract>(
  client: BroadcastClient,
  event: E,
  params: ParamsOf<E>,
  callback: (payload: PayloadOf<E>) => void,
  options: ListenOptions = {},
): StopListening {
  const channel = joinChannel(client, event.channel, params);
  let active = true;
  const { error } = options;
  // Echo offers no way to unbind it: the flag silences it once stopped.
  if (error) channel.onError((reason: SubscriptionError) => active && error(reason));
  const unbind = channel.on(event.name, (payload) => {
    if (active) callback(payload as PayloadOf<E>);
  });
  return () => {
    if (!active) return;
    active = false;
    unbind();
    channel.release();
  };
}

/** Callbacks of {@link joinPresence}, typed by the channel's member type. */
export interface PresenceHandlers<M> {
  /** Everyone on the channel (you included), once subscribed. */
  here?(members: M[]): void;
  /** Someone else arrived (once per user, not per tab). */
  joining?(member: M): void;
  /** Someone else left (their last tab closed). */
  leaving?(member: M): void;
  /** The auth endpoint refused the channel. */
  error?(error: SubscriptionError): void;
}

/** A presence channel contract. */
export type PresenceChannelContract = ChannelContract<'presence', any, any>;

/**
 * Joins a presence channel and types its members by the contract's member type:
 * `joinPresence(echo, Dashboard, {}, { here: (members) => members.map((m) => m.name) })`.
 */
export function joinPresence<C extends PresenceChannelContract>(
  client: BroadcastClient,
  channel: C,
  params: ParamsOf<C>,
  handlers: PresenceHandlers<MemberOf<C>>,
): StopListening {
  const joined = joinChannel(client, channel, params);
  let active = true;
  const guard =
    <A>(callback: ((arg: A) => void) | undefined) =>
    (arg: A) => {
      if (active) callback?.(arg);
    };
  // Echo offers no way to unbind these: the guard silences them once stopped.
  joined.onPresence({
    here: handlers.here && (guard(handlers.here) as (members: unknown[]) => void),
    joining: handlers.joining && (guard(handlers.joining) as (member: unknown) => void),
    leaving: handlers.leaving && (guard(handlers.leaving) as (member: unknown) => void),
  });
  if (handlers.error) joined.onError(guard(handlers.error));
  return () => {
    if (!active) return;
    active = false;
    joined.release();
  };
}

/** Sends a typed whisper (`client-{name}`) to the others on the channel. */
export function whisper<W extends WhisperContract>(
  client: BroadcastClient,
  contract: W,
  params: ParamsOf<W>,
  payload: PayloadInput<W>,
): void {
  // No hold: whispering subscribes when needed but never leaves a channel others listen on.
  joinChannel(client, contract.channel, params, false).whisper(
    contract.name,
    payload as Record<string, unknown>,
  );
}

/** Listens for a typed whisper from the others on the channel. */
export function listenForWhisper<W extends WhisperContract>(
  client: BroadcastClient,
  contract: W,
  params: ParamsOf<W>,
  callback: (payload: PayloadOf<W>) => void,
): StopListening {
  const channel = joinChannel(client, contract.channel, params);
  let active = true;
  const unbind = channel.onWhisper(contract.name, (payload) => {
    if (active) callback(payload as PayloadOf<W>);
  });
  return () => {
    if (!active) return;
    active = false;
    unbind();
    channel.release();
  };
}
