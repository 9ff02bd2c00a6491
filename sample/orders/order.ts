export type OrderStatus = 'placed' | 'shipped';

/** An order of the in-memory shop. */
export interface Order {
  id: number;
  /** {@link SampleUser.id} of the customer; only they may watch `private-orders.{id}`. */
  ownerId: string;
  item: string;
  status: OrderStatus;
  placedAt: string;
  shippedAt?: string;
  /** Set by the shipping listener before `OrderShipped` is broadcast. */
  trackingNumber?: string;
}

/** What the browser sees of an order (the owner id stays on the server). */
export type OrderView = Omit<Order, 'ownerId'>;

export function toOrderView({ ownerId: _ownerId, ...view }: Order): OrderView {
  return view;
}
