import { Broadcastable, PrivateChannel, type ShouldBroadcast } from 'nestjs-broadcasting';
import { toOrderView, type Order } from '../order.js';

/**
 * An order left the warehouse. Broadcast on the order's private channel after every
 * `@OnEvent` listener has finished, so the payload carries the tracking number the
 * shipping listener booked.
 */
@Broadcastable()
export class OrderShipped implements ShouldBroadcast {
  static readonly eventName = 'order.shipped';

  constructor(readonly order: Order) {}

  broadcastOn() {
    return new PrivateChannel(`orders.${this.order.id}`);
  }

  broadcastWith() {
    return { order: toOrderView(this.order) };
  }
}
