// The channels and events of the dashboard, written once and imported by both sides: the Nest
// app's events and @ChannelAuth rules (type-checked against them) and the browser page
// (dashboard/browser/), bundled by `npm run build:sample`. Browser-safe: only the contract
// entry and types are imported here.
import { defineChannel, typed } from 'nestjs-broadcasting/contract';
import type { OrderView } from '../orders/order.js';
import type { SampleUser } from '../session/sample-user.js';

/** `private-orders.{orderId}`: one order, only for the customer who placed it. */
export const OrderChannel = defineChannel('private', 'orders.{orderId}');

/** The order left the warehouse; the payload carries its tracking number. */
export const OrderShipped = OrderChannel.event('OrderShipped', typed<{ order: OrderView }>());

/** `private-users.{userId}`: a customer's own feed, in every tab they have open. */
export const UserFeed = defineChannel('private', 'users.{userId}');

/** The customer placed an order (from any tab). */
export const OrderCreated = UserFeed.event('OrderCreated', typed<{ order: OrderView }>());

/** `presence-dashboard`: who has the dashboard open; members see each other's id and name. */
export const Dashboard = defineChannel('presence', 'dashboard', {
  member: typed<Pick<SampleUser, 'id' | 'name'>>(),
});

/** `shipments`: public, no authorization. */
export const Shipments = defineChannel('public', 'shipments');

/** The running number of shipped orders, all customers together. */
export const ShipmentsCounted = Shipments.event('ShipmentsCounted', typed<{ count: number }>());
