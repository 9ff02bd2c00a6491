import { Broadcastable } from 'nestjs-broadcasting';
import * as Contracts from '../../contracts/dashboard.contracts.js';
import { toOrderView, type Order } from '../order.js';

/**
 * An order left the warehouse. Broadcast on the order's private channel after every
 * `@OnEvent` listener has finished, so the payload carries the tracking number the
 * shipping listener booked.
 */
@Broadcastable(Contracts.OrderShipped)
export class OrderShipped {
  static readonly eventName = 'order.shipped';

  constructor(readonly order: Order) {}

  broadcastOn() {
    return Contracts.OrderChannel.name({ orderId: this.order.id });
  }

  broadcastWith() {
    return { order: toOrderView(this.order) };
  }
}
