import { Broadcastable } from 'nestjs-broadcasting';
import * as Contracts from '../../contracts/dashboard.contracts.js';
import { toOrderView, type Order } from '../order.js';

/**
 * A customer placed an order. Broadcast to the customer's own channel so every tab they
 * have open adds it; the order's channel has no subscriber yet. The contract gives the name,
 * and the compiler checks the channel and the payload against it.
 */
@Broadcastable(Contracts.OrderCreated)
export class OrderCreated {
  static readonly eventName = 'order.created';

  constructor(readonly order: Order) {}

  broadcastOn() {
    return Contracts.UserFeed.name({ userId: this.order.ownerId });
  }

  broadcastWith() {
    return { order: toOrderView(this.order) };
  }
}
