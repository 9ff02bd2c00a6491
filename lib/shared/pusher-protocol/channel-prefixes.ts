/**
 * The Pusher channel-name prefixes, spelled in this one place. A channel's kind is read from
 * its prefix (see `channelKind` in channel-names.ts); Laravel's channel helpers add them.
 */
export const ChannelPrefix = {
  private: 'private-',
  presence: 'presence-',
  encrypted: 'private-encrypted-',
  /** Orthogonal to the kinds: `cache-x`, `private-cache-x`, `presence-cache-x`, … */
  cache: 'cache-',
  serverToUser: '#server-to-user-',
} as const;

/** `#server-to-user-{id}`: the channel a signed-in user's connections join. */
export function serverToUserChannel(userId: string): string {
  return ChannelPrefix.serverToUser + userId;
}

export function isPresenceChannel(name: string): boolean {
  return name.startsWith(ChannelPrefix.presence);
}

export function isEncryptedChannel(name: string): boolean {
  return name.startsWith(ChannelPrefix.encrypted);
}
