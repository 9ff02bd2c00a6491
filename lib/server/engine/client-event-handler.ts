import type { ServerAdapter } from '../cluster/server-adapter.interface.js';
import { errorFrame } from '../protocol/frames.js';
import type { InboundMessage } from '../protocol/inbound-message.js';
import { checkClientEvent } from './client-event-policy.js';
import type { PusherConnection } from './pusher-connection.js';
import type { ServerEvents } from './server-events.js';

/**
 * A `client-*` event: relayed to the channel's other subscribers cluster-wide if
 * {@link checkClientEvent} accepts it, else answered with `pusher:error` (no close, not even
 * for the rate limit's 4301). Accepted ones are also a `client_event` on the engine's stream.
 */
export class ClientEventHandler {
  constructor(
    private readonly adapter: Pick<ServerAdapter, 'publish'>,
    private readonly events: ServerEvents,
  ) {}

  relay(conn: PusherConnection, message: InboundMessage): void {
    const checked = checkClientEvent(conn, message);
    if ('refused' in checked) {
      const channel = typeof message.channel === 'string' ? message.channel : undefined;
      return conn.send(errorFrame(checked.refused, checked.code, channel));
    }
    this.adapter.publish({
      appId: conn.app.id,
      channels: [checked.channel],
      event: message.event,
      data: checked.data,
      exceptSocketId: conn.socketId,
      userId: checked.userId || undefined,
    });
    // Told by the node the client sent it to: once per cluster by construction.
    if (this.events.active)
      this.events.emit(conn.app.id, {
        name: 'client_event',
        channel: checked.channel,
        event: message.event,
        data: checked.data,
        socket_id: conn.socketId,
        ...(checked.userId ? { user_id: checked.userId } : {}),
      });
  }
}
