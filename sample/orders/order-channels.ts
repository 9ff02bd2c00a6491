import { Injectable } from '@nestjs/common';
import { ChannelAuth, type ChannelAuthParams } from 'nestjs-broadcasting';
import type { SampleUser } from '../session/sample-user.js';
import { OrdersService } from './orders.service.js';

/**
 * Who may listen to which channel. `BroadcastModule` finds these methods by their
 * `@ChannelAuth` pattern and calls the first that matches with the user set by
 * {@link SessionGuard}; `false` refuses the browser with 403.
 */
@Injectable()
export class OrderChannels {
  constructor(private readonly orders: OrdersService) {}

  /** `private-orders.{orderId}`: only the customer who placed the order. */
  @ChannelAuth('orders.{orderId}')
  canWatchOrder(user: SampleUser, { orderId }: ChannelAuthParams): boolean {
    return /^\d+$/.test(orderId) && this.orders.isOwner(user.id, Number(orderId));
  }

  /** `private-users.{userId}`: a user's own feed of new orders. */
  @ChannelAuth('users.{userId}')
  canWatchOwnFeed(user: SampleUser, { userId }: ChannelAuthParams): boolean {
    return user.id === userId;
  }

  /** `presence-dashboard`: every signed-in user; the object is what others see of them. */
  @ChannelAuth('dashboard')
  joinDashboard(user: SampleUser): { id: string; name: string } {
    return { id: user.id, name: user.name };
  }
}
