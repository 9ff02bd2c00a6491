import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { OrderShipped } from './events/order-shipped.event.js';
import { ShipmentsCounted } from './events/shipments-counted.event.js';
import { ShipmentsService } from './shipments.service.js';

/**
 * Runs when an order ships, before `OrderShipped` is broadcast (the package waits for every
 * listener): books the carrier, whose tracking number the broadcast then carries, and
 * announces the new shipment count on the public channel.
 */
@Injectable()
export class ShippingListener {
  constructor(
    private readonly shipments: ShipmentsService,
    private readonly events: EventEmitter2,
  ) {}

  @OnEvent(OrderShipped.eventName)
  async onOrderShipped(event: OrderShipped): Promise<void> {
    const count = this.shipments.book(event.order);
    await this.events.emitAsync(ShipmentsCounted.eventName, new ShipmentsCounted(count));
  }
}
