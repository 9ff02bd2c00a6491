import { Injectable } from '@nestjs/common';
import { ChannelAuth } from 'nestjs-broadcasting';
import type { AuthParamsOf, MemberOf } from 'nestjs-broadcasting/contract';
import { Dashboard, OrderChannel, UserFeed } from '../contracts/dashboard.contracts.js';
import type { SampleUser } from '../session/sample-user.js';
import { OrdersService } from './orders.service.js';

/**
 * Who may listen to which channel. `BroadcastModule` finds these methods by their
 * `@ChannelAuth` contract and calls the first that matches with the user set by
 * {@link SessionGuard}; `false` refuses the browser with 403. The compiler checks each
 * method's params (and the presence member) against the contract.
 */
@Injectable()
export class OrderChannels {
  constructor(private readonly orders: OrdersService) {}

  /** `private-orders.{orderId}`: only the customer who placed the order. */
  @ChannelAuth(OrderChannel)
  canWatchOrder(user: SampleUser, { orderId }: AuthParamsOf<typeof OrderChannel>): boolean {
    return /^\d+$/.test(orderId) && this.orders.isOwner(user.id, Number(orderId));
  }

  /** `private-users.{userId}`: a user's own feed of new orders. */
  @ChannelAuth(UserFeed)
  canWatchOwnFeed(user: SampleUser, { userId }: AuthParamsOf<typeof UserFeed>): boolean {
    return user.id === userId;
  }

  /** `presence-dashboard`: every signed-in user; the object is what others see of them. */
  @ChannelAuth(Dashboard)
  joinDashboard(user: SampleUser): MemberOf<typeof Dashboard> {
    return { id: user.id, name: user.name };
  }
}
