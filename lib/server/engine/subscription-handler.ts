import { channelKind, isCacheChannel } from '../../shared/pusher-protocol/channel-names.js';
import type { ServerAdapter } from '../cluster/server-adapter.interface.js';
import {
  channelFrame,
  errorFrame,
  subscriptionError,
  subscriptionSucceeded,
} from '../protocol/frames.js';
import { dataObject, type InboundMessage } from '../protocol/inbound-message.js';
import type { ChannelRegistry } from './channel-registry.js';
import { EngineLogMessages, EngineMessages } from './engine-messages.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { ServerLogger } from '../../shared/logger.js';
import type { PusherConnection } from './pusher-connection.js';
import { authorizeSubscription } from './subscription-authorizer.js';
import type { ServerEvents } from './server-events.js';
import type { SubscriptionCountReporter } from './subscription-count-reporter.js';

/**
 * `pusher:subscribe` and `pusher:unsubscribe` on every kind of channel: public, private,
 * encrypted, presence (rosters per user, member_added / member_removed to the others) and
 * cache (the last event on joining). {@link authorizeSubscription} decides; this carries the
 * decision out against the registry and the adapter.
 *
 * Every await is followed by a `conn.closed` check: a socket's cleanup runs as soon as it
 * closes and leaves the channels taken so far, so a step that finds it closed takes no more.
 */
export class SubscriptionHandler {
  constructor(
    private readonly adapter: ServerAdapter,
    private readonly registry: ChannelRegistry,
    private readonly logger: ServerLogger,
    private readonly events: ServerEvents,
    private readonly counts: SubscriptionCountReporter,
  ) {}

  async subscribe(conn: PusherConnection, message: InboundMessage): Promise<void> {
    const data = dataObject(message);
    const channel = data?.channel;
    if (typeof channel !== 'string' || channel.length === 0)
      return conn.send(errorFrame(EngineMessages.subscribeNeedsChannel(), null));
    const { app } = conn;
    if (conn.channels.has(channel)) return this.confirm(conn, channel);
    // Frames are handled one at a time, so no other subscription of this socket is half-way.
    const max = app.limits.maxChannelsPerConnection;
    if (conn.channels.size >= max)
      return this.refuse(
        conn,
        channel,
        EngineMessages.tooManyChannels(channel, max),
        CloseCode.LIMIT_REACHED,
        'LimitReached',
      );

    const decision = await authorizeSubscription(conn, channel, data!, async () => {
      const members = await this.adapter.presenceMembers(app.id, channel);
      return { size: members.size, has: (id: string) => members.has(id) };
    });
    if (conn.closed) return;
    if (!decision.ok) return this.refuse(conn, channel, decision.error, decision.status);

    if (decision.member) {
      const { firstForUser } = await this.adapter.joinPresence(
        app.id,
        channel,
        conn.socketId,
        decision.member,
      );
      if (conn.closed) {
        await this.adapter.leavePresence(app.id, channel, conn.socketId, decision.member.id);
        return;
      }
      if (firstForUser) {
        const added = JSON.stringify({
          user_id: decision.member.id,
          user_info: decision.member.info,
        });
        this.adapter.publish({
          appId: app.id,
          channels: [channel],
          event: 'pusher_internal:member_added',
          data: added,
          exceptSocketId: conn.socketId,
        });
      }
    }
    // Confirmed only once the node listens cluster-wide: a message published as soon as the
    // client sees subscription_succeeded must reach it.
    const listening = this.registry.subscribe(conn, channel, decision.member?.id ?? '');
    if (listening) {
      await listening;
      if (conn.closed) return;
    }
    this.logger.debug?.(EngineLogMessages.subscribed(conn.socketId, channel), {
      socketId: conn.socketId,
      appId: app.id,
      channel,
    });
    await this.confirm(conn, channel);
    if (app.subscriptionCountEvents && !decision.member) this.counts.changed(app.id, channel);
  }

  private refuse(
    conn: PusherConnection,
    channel: string,
    error: string,
    status: number,
    type?: 'LimitReached',
  ): void {
    this.logger.debug?.(
      EngineLogMessages.subscriptionRefused(conn.socketId, channel, status, error),
      {
        socketId: conn.socketId,
        appId: conn.app.id,
        channel,
        status,
      },
    );
    conn.send(subscriptionError(channel, error, status, type));
  }

  unsubscribe(conn: PusherConnection, message: InboundMessage): void | Promise<void> {
    const channel = dataObject(message)?.channel;
    if (typeof channel !== 'string')
      return conn.send(errorFrame(EngineMessages.unsubscribeNeedsChannel(), null));
    if (conn.channels.has(channel)) return this.leave(conn, channel);
  }

  /** Leaves the channel here, and the roster (telling the others) if the user was last. */
  async leave(conn: PusherConnection, channel: string): Promise<void> {
    const appId = conn.app.id;
    const presenceUserId = this.registry.unsubscribe(conn, channel);
    this.logger.debug?.(EngineLogMessages.unsubscribed(conn.socketId, channel), {
      socketId: conn.socketId,
      appId,
      channel,
    });
    if (conn.app.subscriptionCountEvents && !presenceUserId) this.counts.changed(appId, channel);
    if (presenceUserId) {
      const { lastForUser } = await this.adapter.leavePresence(
        appId,
        channel,
        conn.socketId,
        presenceUserId,
      );
      if (lastForUser)
        this.adapter.publish({
          appId,
          channels: [channel],
          event: 'pusher_internal:member_removed',
          data: JSON.stringify({ user_id: presenceUserId }),
        });
    }
  }

  /** subscription_succeeded (with the roster on presence), then a cache channel's last event. */
  private async confirm(conn: PusherConnection, channel: string): Promise<void> {
    const appId = conn.app.id;
    if (channelKind(channel) === 'presence') {
      const members = await this.adapter.presenceMembers(appId, channel);
      const hash: Record<string, unknown> = {};
      for (const [id, info] of members) hash[id] = info;
      conn.send(
        subscriptionSucceeded(channel, {
          presence: { ids: [...members.keys()], hash, count: members.size },
        }),
      );
    } else {
      conn.send(subscriptionSucceeded(channel));
    }
    if (isCacheChannel(channel)) {
      const cached = await this.adapter.cachedEvent(appId, channel);
      conn.send(
        cached
          ? channelFrame(cached.event, channel, cached.data)
          : channelFrame('pusher:cache_miss', channel, '{}'),
      );
      if (!cached) this.events.emit(appId, { name: 'cache_miss', channel });
    }
  }
}
