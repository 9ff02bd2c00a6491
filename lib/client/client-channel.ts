import type { ChannelContract } from '../contract/channel-contract.js';
import { ClientMessages } from './client-messages.js';
import type {
  BroadcastClient,
  EchoLike,
  EchoPresenceChannelLike,
  EchoWhisperChannelLike,
  PusherChannelLike,
  PusherLike,
} from './client-like.interface.js';

/** A channel joined through Echo or pusher-js, with the few operations the helpers need. */
export interface JoinedChannel {
  /** The full name: `private-orders.7`. */
  readonly name: string;
  /** Binds a server event by its exact name; returns the unbinding. */
  on(event: string, callback: (data: any) => void): () => void;
  /** Binds a whisper (`client-{name}`); returns the unbinding. */
  onWhisper(event: string, callback: (data: any) => void): () => void;
  whisper(event: string, data: Record<string, unknown>): void;
  /** A refused subscription: pusher-js's `{ type, error, status }`. */
  onError(callback: (error: any) => void): void;
  /** Presence: every member's `user_info` once subscribed, then arrivals and departures. */
  onPresence(handlers: PresenceCallbacks): void;
  /** Drops the helpers' hold on the channel; the last one leaves it. */
  release(): void;
}

export interface PresenceCallbacks {
  here?(members: unknown[]): void;
  joining?(member: unknown): void;
  leaving?(member: unknown): void;
}

const isEcho = (client: BroadcastClient): client is EchoLike =>
  typeof (client as EchoLike | null)?.join === 'function' &&
  typeof (client as EchoLike).private === 'function';

// How many helper subscriptions hold each channel, per client: the channel is left when the
// count falls to zero, as @laravel/echo-react's hooks do, so two components can share it.
const holds = new WeakMap<object, Map<string, number>>();

function hold(client: BroadcastClient, name: string): () => void {
  let counts = holds.get(client);
  if (!counts) holds.set(client, (counts = new Map()));
  counts.set(name, (counts.get(name) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (counts.get(name) ?? 1) - 1;
    if (left > 0) return void counts.set(name, left);
    counts.delete(name);
    if (isEcho(client)) client.leaveChannel(name);
    else client.unsubscribe(name);
  };
}

/**
 * Subscribes (or reuses the subscription) through whichever client was given. `held: false`
 * takes no hold (a whisper rides on a subscription a listener keeps).
 */
export function joinChannel(
  client: BroadcastClient,
  channel: ChannelContract,
  params: unknown,
  held = true,
): JoinedChannel {
  const name: string = channel.name(params as never);
  const bare: string = channel.bareName(params as never);
  if (isEcho(client)) return echoChannel(client, channel.kind, name, bare, held);
  if (typeof (client as PusherLike | null)?.subscribe !== 'function') {
    throw new TypeError(ClientMessages.notAClient(client));
  }
  return pusherChannel(client as PusherLike, name, held);
}

function echoChannel(
  echo: EchoLike,
  kind: string,
  name: string,
  bare: string,
  held: boolean,
): JoinedChannel {
  const release = held ? hold(echo, name) : () => undefined;
  const channel =
    kind === 'presence'
      ? echo.join(bare)
      : kind === 'private'
        ? echo.private(bare)
        : kind === 'encrypted'
          ? echo.encryptedPrivate(bare)
          : echo.channel(bare);
  return {
    name,
    on(event, callback) {
      // The leading dot tells Echo the name is exact: no `App.Events` namespace in front.
      channel.listen(`.${event}`, callback);
      return () => channel.stopListening(`.${event}`, callback);
    },
    onWhisper(event, callback) {
      channel.listenForWhisper(event, callback);
      return () => channel.stopListeningForWhisper(event, callback);
    },
    whisper(event, data) {
      (channel as EchoWhisperChannelLike).whisper(event, data);
    },
    onError(callback) {
      channel.error(callback);
    },
    onPresence({ here, joining, leaving }) {
      const presence = channel as EchoPresenceChannelLike;
      if (here) presence.here(here);
      if (joining) presence.joining(joining);
      if (leaving) presence.leaving(leaving);
    },
    release,
  };
}

interface PusherMember {
  id: string;
  info: unknown;
}

function pusherChannel(pusher: PusherLike, name: string, held: boolean): JoinedChannel {
  const release = held ? hold(pusher, name) : () => undefined;
  const channel: PusherChannelLike = pusher.subscribe(name);
  const on = (event: string, callback: (data: any) => void) => {
    channel.bind(event, callback);
    return () => void channel.unbind(event, callback);
  };
  return {
    name,
    on,
    onWhisper: (event, callback) => on(`client-${event}`, callback),
    whisper(event, data) {
      channel.trigger(`client-${event}`, data);
    },
    onError(callback) {
      on('pusher:subscription_error', callback);
    },
    onPresence({ here, joining, leaving }) {
      if (here) {
        on(
          'pusher:subscription_succeeded',
          (members: { each(f: (m: PusherMember) => void): void }) => {
            const list: unknown[] = [];
            members.each((member) => list.push(member.info));
            here(list);
          },
        );
      }
      if (joining) on('pusher:member_added', (member: PusherMember) => joining(member.info));
      if (leaving) on('pusher:member_removed', (member: PusherMember) => leaving(member.info));
    },
    release,
  };
}
