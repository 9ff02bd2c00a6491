import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  Broadcast,
  BroadcastManager,
  Broadcastable,
  type ShouldBroadcast,
} from 'nestjs-broadcasting';
import {
  BroadcastTestingModule,
  BroadcasterFake,
  createFakeBroadcastManager,
} from 'nestjs-broadcasting/testing';
import { describe, expect, it } from 'vitest';
import { OrderShipped as ShippedContract } from '../contract/fixtures/shop.contracts.js';

@Broadcastable({ as: 'order.shipped', queue: true })
class OrderShipped implements ShouldBroadcast {
  constructor(readonly orderId: number) {}
  broadcastOn() {
    return `private-orders.${this.orderId}`;
  }
}

@Broadcastable({ as: 'report.ready', queue: 'low' })
class ReportReady implements ShouldBroadcast {
  broadcastOn() {
    return 'reports';
  }
}

@Broadcastable({ as: 'order.viewed' })
class OrderViewed implements ShouldBroadcast {
  broadcastOn() {
    return 'orders';
  }
}

describe('the fake records queued broadcasts without Redis', () => {
  it('records queued events apart from sent ones, and runQueued() sends them in order', async () => {
    const fake = new BroadcasterFake();
    const manager = createFakeBroadcastManager(fake);
    await manager.event(new OrderShipped(1));
    await manager.event(new ReportReady());
    await manager.event(new OrderViewed());

    fake.assertQueued('order.shipped');
    fake.assertQueued('order.shipped', 'broadcasts');
    fake.assertQueued('report.ready', 'low');
    fake.assertNotQueued('order.viewed');
    fake.assertBroadcasted('order.viewed');
    fake.assertNotBroadcasted('order.shipped');

    expect(await fake.runQueued()).toBe(2);
    expect(fake.calls.map((call) => call.event)).toEqual([
      'order.viewed',
      'order.shipped',
      'report.ready',
    ]);
    fake.assertBroadcastedOn('private-orders.1', 'order.shipped');
    expect(await fake.runQueued()).toBe(0);
    fake.assertQueued('order.shipped'); // still recorded as queued once it ran
  });

  it('fails with a message that lists what was queued', async () => {
    const fake = new BroadcasterFake();
    const manager = createFakeBroadcastManager(fake);
    await manager.event(new OrderShipped(2));
    expect(() => fake.assertQueued('order.shipped', 'low')).toThrow(
      'Expected "order.shipped" to be queued on "low", but it was queued on broadcasts.\n' +
        'Nothing was broadcast.\nQueued broadcasts:\n  1. "order.shipped" on [private-orders.2] to queue "broadcasts"',
    );
    expect(() => fake.assertNotQueued('order.shipped')).toThrow(
      'Expected "order.shipped" not to be queued, but it was queued 1 time(s).',
    );
    expect(() => fake.assertQueued('report.ready')).toThrow(
      'Expected "report.ready" to be queued, but it was not.',
    );
  });

  it('takes the per-call choice: Broadcast.event(e, { queue: false }) and send({ queue })', async () => {
    const fake = new BroadcasterFake();
    const manager = createFakeBroadcastManager(fake);
    Broadcast.setManager(manager);
    try {
      await Broadcast.event(new OrderShipped(3), { queue: false });
      await Broadcast.send({ channels: 'orders', event: 'ping', queue: 'low' });
    } finally {
      Broadcast.setManager(undefined);
    }
    fake.assertBroadcasted('order.shipped');
    fake.assertNotQueued('order.shipped');
    fake.assertQueued('ping', 'low');
  });

  it('in BroadcastTestingModule with queue.default, auto-broadcast events are queued as the app would', async () => {
    const fake = new BroadcasterFake();
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        BroadcastTestingModule.forRoot(fake, { queue: { default: true } }),
      ],
    }).compile();
    await moduleRef.init();
    await moduleRef.get(EventEmitter2).emitAsync('viewed', new OrderViewed());
    fake.assertQueued('order.viewed', 'broadcasts');
    fake.assertNothingBroadcasted();
    await fake.runQueued();
    fake.assertBroadcastedTimes('order.viewed', 1);
    expect(moduleRef.get(BroadcastManager)).toBeDefined();
    await moduleRef.close();
  });

  it("a contract's send takes { queue } too: validated first, then queued, asserted by the contract", async () => {
    const fake = new BroadcasterFake();
    const manager = createFakeBroadcastManager(fake);
    await manager.send(
      ShippedContract,
      { orderId: 4 },
      { orderId: 4, tracking: 'TRK4' },
      {
        queue: true,
      },
    );
    fake.assertQueued(ShippedContract, 'broadcasts');
    fake.assertNotBroadcasted(ShippedContract);
    expect(fake.queued[0]).toMatchObject({
      channels: ['private-orders.4'],
      payload: { orderId: 4, tracking: 'TRK4' },
    });
    await expect(
      manager.send(ShippedContract, { orderId: 5 }, { orderId: 5, tracking: 'x' }, { queue: true }),
    ).rejects.toThrow('The payload of "order.shipped" does not match its contract: ');
    expect(fake.queued).toHaveLength(1); // the schema refused it before anything was queued
  });
});
