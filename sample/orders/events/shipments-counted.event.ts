import { Broadcastable } from 'nestjs-broadcasting';
import * as Contracts from '../../contracts/dashboard.contracts.js';

/** The running number of shipped orders, on a public channel every visitor may hear. */
@Broadcastable(Contracts.ShipmentsCounted)
export class ShipmentsCounted {
  static readonly eventName = 'shipments.counted';

  constructor(readonly count: number) {}

  broadcastOn() {
    return Contracts.Shipments.name();
  }

  broadcastWith() {
    return { count: this.count };
  }
}
