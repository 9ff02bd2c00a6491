import { Injectable } from '@nestjs/common';
import type { Order } from './order.js';

/** The warehouse's side of shipping: books a carrier and counts what left. */
@Injectable()
export class ShipmentsService {
  private shipped = 0;

  /** How many orders have shipped since the app started, all customers together. */
  get count(): number {
    return this.shipped;
  }

  /** Books a carrier for `order`, records its tracking number, and returns the new count. */
  book(order: Order): number {
    order.trackingNumber = `TRK-${String(order.id).padStart(5, '0')}-${Date.now().toString(36).toUpperCase()}`;
    return ++this.shipped;
  }
}
