import { ChannelPrefix } from '../shared/pusher-protocol/channel-prefixes.js';

/**
 * A public channel. `new Channel('orders.1').name === 'orders.1'`; every channel prints as
 * its full name, so channels and plain strings can be mixed in `broadcastOn()`.
 */
export class Channel {
  /** The full channel name, prefix included. */
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  toString(): string {
    return this.name;
  }
}

/** Prefixes `name` unless it already carries the prefix (Laravel's rule). */
function withPrefix(prefix: string, name: string): string {
  return name.startsWith(prefix) ? name : prefix + name;
}

/** A private channel: `private-{name}`, joined after the auth endpoint signs the subscription. */
export class PrivateChannel extends Channel {
  constructor(name: string) {
    super(withPrefix(ChannelPrefix.private, name));
  }
}

/** A presence channel: `presence-{name}`, a private channel that also lists its members. */
export class PresenceChannel extends Channel {
  constructor(name: string) {
    super(withPrefix(ChannelPrefix.presence, name));
  }
}

/** An end-to-end encrypted private channel: `private-encrypted-{name}`. */
export class EncryptedPrivateChannel extends Channel {
  constructor(name: string) {
    super(withPrefix(ChannelPrefix.encrypted, name));
  }
}

/** What `broadcastOn()` and `send({ channels })` accept: a channel or its full name. */
export type ChannelLike = Channel | string;

const nameOf = (channel: ChannelLike): string =>
  channel instanceof Channel ? channel.name : channel;

/** The full names of one or more channels, in order, without duplicates. */
export function channelNames(channels: ChannelLike | readonly ChannelLike[]): string[] {
  // Runs on every dispatch: most events name one or a few channels, where a linear scan
  // beats building a Set and spreading it.
  if (!Array.isArray(channels)) return [nameOf(channels as ChannelLike)];
  const list = channels as readonly ChannelLike[];
  if (list.length > 16) return [...new Set(list.map(nameOf))];
  const names: string[] = [];
  for (const channel of list) {
    const name = nameOf(channel);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
