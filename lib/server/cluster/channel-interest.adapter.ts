import type {
  AdapterHost,
  AdapterPublish,
  PresenceMember,
  ServerAdapter,
} from './server-adapter.interface.js';

/**
 * Told when this node's first subscriber arrives on a channel (`true`) or its last leaves.
 * On arrival it may return a Promise that resolves once it listens (its SUBSCRIBE reply);
 * the subscription is confirmed after that, so it must settle in bounded time.
 */
export type ChannelInterestListener = (
  appId: string,
  channel: string,
  occupied: boolean,
) => void | Promise<void>;

/**
 * A way to follow which channels have local subscribers. Follow from the start (before the
 * engine takes sockets): there is no list of the channels occupied so far, the engine holds it.
 */
export interface ChannelInterest {
  onChange(listener: ChannelInterestListener): () => void;
}

/**
 * Wraps the engine's adapter to observe its `channelOccupied` / `channelVacated` calls, so
 * Redis delivery can SUBSCRIBE to a channel only while this node has subscribers on it.
 * It keeps no state of its own: the engine calls these only for a channel's first and
 * last local subscriber. Every other call goes straight to the wrapped adapter.
 */
export class ChannelInterestAdapter implements ServerAdapter, ChannelInterest {
  private readonly listeners = new Set<ChannelInterestListener>();

  constructor(readonly inner: ServerAdapter) {}

  onChange(listener: ChannelInterestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the wrapped adapter and every listener listen on the channel. */
  channelOccupied(appId: string, channel: string): void | Promise<void> {
    const inner = this.inner.channelOccupied(appId, channel);
    const pending = this.notify(appId, channel, true);
    if (inner) pending.push(inner);
    if (pending.length === 0) return;
    return Promise.all(pending).then(() => undefined);
  }

  channelVacated(appId: string, channel: string): void {
    this.inner.channelVacated(appId, channel);
    this.notify(appId, channel, false);
  }

  private notify(appId: string, channel: string, occupied: boolean): Promise<void>[] {
    const pending: Promise<void>[] = [];
    for (const listener of this.listeners) {
      try {
        const result = listener(appId, channel, occupied);
        // A failing observer must not break the engine's subscribe / unsubscribe path.
        if (result) pending.push(result.catch(() => {}));
      } catch {
        // As above, for observers that throw synchronously.
      }
    }
    return pending;
  }

  // ---- everything else goes straight to the wrapped adapter ----------------------------

  attach(host: AdapterHost) {
    return this.inner.attach(host);
  }
  publish(message: AdapterPublish): void {
    this.inner.publish(message);
  }
  joinPresence(appId: string, channel: string, socketId: string, member: PresenceMember) {
    return this.inner.joinPresence(appId, channel, socketId, member);
  }
  leavePresence(appId: string, channel: string, socketId: string, userId: string) {
    return this.inner.leavePresence(appId, channel, socketId, userId);
  }
  presenceMembers(appId: string, channel: string) {
    return this.inner.presenceMembers(appId, channel);
  }
  cachedEvent(appId: string, channel: string) {
    return this.inner.cachedEvent(appId, channel);
  }
  channels(appId: string, prefix?: string) {
    return this.inner.channels(appId, prefix);
  }
  channel(appId: string, name: string) {
    return this.inner.channel(appId, name);
  }
  connectionCount(appId: string) {
    return this.inner.connectionCount(appId);
  }
  terminateUserConnections(appId: string, userId: string) {
    return this.inner.terminateUserConnections(appId, userId);
  }
  close() {
    this.listeners.clear();
    return this.inner.close();
  }
}
