import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { SampleUser } from '../session/sample-user.js';
import { OrderCreated } from './events/order-created.event.js';
import { OrderShipped } from './events/order-shipped.event.js';
import type { Order } from './order.js';

const CATALOG = [
  'Espresso beans',
  'Walnut desk',
  'Wool socks',
  'Bike lights',
  'Desk lamp',
  'Tea set',
];

/** The shop's orders, in memory. Every change is announced through EventEmitter2. */
@Injectable()
export class OrdersService {
  private readonly orders = new Map<number, Order>();
  private readonly seeded = new Set<string>();
  private nextId = 1;

  constructor(private readonly events: EventEmitter2) {}

  /** Gives a first-time user two orders so the dashboard has something to ship. */
  seedFor(user: SampleUser): void {
    if (this.seeded.has(user.id)) return;
    this.seeded.add(user.id);
    for (let i = 0; i < 2; i++) this.insert(user, CATALOG[(this.nextId + i * 3) % CATALOG.length]);
  }

  listFor(user: SampleUser): Order[] {
    return [...this.orders.values()].filter((order) => order.ownerId === user.id);
  }

  /** Whether `userId` owns order `orderId`: the rule behind `private-orders.{orderId}`. */
  isOwner(userId: string, orderId: number): boolean {
    return this.orders.get(orderId)?.ownerId === userId;
  }

  async place(user: SampleUser, item?: string): Promise<Order> {
    const order = this.insert(user, item?.trim() || CATALOG[this.nextId % CATALOG.length]);
    await this.events.emitAsync(OrderCreated.eventName, new OrderCreated(order));
    return order;
  }

  /**
   * Ships an order of `user`. Resolves once the listeners have run; the broadcast follows
   * them, so the browser learns the tracking number in the same message as the status.
   */
  async ship(user: SampleUser, orderId: number): Promise<Order> {
    const order = this.orders.get(orderId);
    if (!order) throw new NotFoundException(`There is no order #${orderId}.`);
    if (order.ownerId !== user.id)
      throw new ForbiddenException(`Order #${orderId} belongs to someone else.`);
    if (order.status === 'shipped')
      throw new ConflictException(`Order #${orderId} has already shipped.`);
    order.status = 'shipped';
    order.shippedAt = new Date().toISOString();
    await this.events.emitAsync(OrderShipped.eventName, new OrderShipped(order));
    return order;
  }

  private insert(user: SampleUser, item: string): Order {
    const order: Order = {
      id: this.nextId++,
      ownerId: user.id,
      item: item.slice(0, 60),
      status: 'placed',
      placedAt: new Date().toISOString(),
    };
    this.orders.set(order.id, order);
    return order;
  }
}
