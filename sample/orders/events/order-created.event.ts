import { Broadcastable, PrivateChannel, type ShouldBroadcast } from 'nestjs-broadcasting';
import { toOrderView, type Order } from '../order.js';

/**
 * A customer placed an order. Broadcast to the customer's own channel so every tab they
 * have open adds it; the order's channel has no subscriber yet.
 */
@Broadcastable()
export class OrderCreated implements ShouldBroadcast {
  static readonly eventName = 'order.created';

  constructor(readonly order: Order) {}

  broadcastOn() {
    return new PrivateChannel(`users.${this.order.ownerId}`);
  }

  broadcastWith() {
    return { order: toOrderView(this.order) };
  }
}
