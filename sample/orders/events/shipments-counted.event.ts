import { Broadcastable, Channel, type ShouldBroadcast } from 'nestjs-broadcasting';

/** The running number of shipped orders, on a public channel every visitor may hear. */
@Broadcastable()
export class ShipmentsCounted implements ShouldBroadcast {
  static readonly eventName = 'shipments.counted';

  constructor(readonly count: number) {}

  broadcastOn() {
    return new Channel('shipments');
  }
}
