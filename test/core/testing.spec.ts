import { Injectable } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  Broadcast,
  BroadcastManager,
  BroadcastModule,
  ChannelAuth,
  ChannelAuthorizer,
  ChannelAuthRegistry,
  type ChannelAuthParams,
} from 'nestjs-broadcasting';
import {
  BroadcasterFake,
  BroadcastTestingModule,
  createFakeBroadcastManager,
} from 'nestjs-broadcasting/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { OrderShipped } from '../fixtures/core/order-shipped.event.js';

afterEach(() => Broadcast.setManager(undefined));

/** The code under test in the recipes: ships an order and announces it. */
@Injectable()
class ShippingService {
  constructor(
    private readonly events: EventEmitter2,
    private readonly broadcasts: BroadcastManager,
  ) {}

  async ship(orderId: number): Promise<void> {
    await this.events.emitAsync('order.shipped', new OrderShipped(orderId));
    await this.broadcasts.send({
      channels: 'dashboard',
      event: 'stats.changed',
      payload: { shipped: 1 },
    });
  }
}

/** App code that authorizes channels and reaches the authorization services. */
@Injectable()
class OrderChannels {
  constructor(
    readonly authorizer: ChannelAuthorizer,
    readonly registry: ChannelAuthRegistry,
  ) {}

  @ChannelAuth('orders.{orderId}')
  order(user: { id: number }, { orderId }: ChannelAuthParams): boolean {
    return user.id === Number(orderId);
  }
}

describe('BroadcasterFake', () => {
  it('records calls like the reference example', async () => {
    const fake = new BroadcasterFake();
    await fake.broadcast(['orders.1'], 'order.shipped', { order_id: 1 });
    fake.assertBroadcasted('order.shipped');
    expect(fake.calls[0].payload).toEqual({ order_id: 1 });
  });

  it('assertions pass on what was recorded', async () => {
    const fake = new BroadcasterFake();
    await fake.broadcast(
      ['private-orders.1', 'orders'],
      'order.shipped',
      { order_id: 1 },
      { exceptSocketId: '1.1' },
    );
    await fake.broadcast(['orders'], 'order.shipped', { order_id: 2 });
    fake.assertBroadcasted('order.shipped', (call) => call.payload.order_id === 2);
    fake.assertBroadcastedOn('private-orders.1', 'order.shipped');
    fake.assertBroadcastedOn({ name: 'orders' }, 'order.shipped');
    fake.assertNotBroadcasted('order.cancelled');
    fake.assertBroadcastedTimes('order.shipped', 2);
    fake.reset();
    fake.assertNothingBroadcasted();
  });

  it('a failing assertion lists what was recorded', async () => {
    const fake = new BroadcasterFake();
    expect(() => fake.assertBroadcasted('x')).toThrow(
      'Expected "x" to be broadcast, but it was not.\nNothing was broadcast.',
    );
    await fake.broadcast(['orders'], 'order.shipped', { order_id: 1 }, { exceptSocketId: '3.4' });
    const recorded =
      'Recorded broadcasts:\n  1. "order.shipped" on [orders] {"order_id":1} except 3.4';
    expect(() => fake.assertBroadcasted('order.cancelled')).toThrow(recorded);
    expect(() => fake.assertBroadcasted('order.shipped', () => false)).toThrow('none matched');
    expect(() => fake.assertBroadcastedOn('private-orders.1', 'order.shipped')).toThrow(
      `Expected "order.shipped" to be broadcast on "private-orders.1", but it was not.\n${recorded}`,
    );
    expect(() => fake.assertNotBroadcasted('order.shipped')).toThrow(
      'but it was broadcast 1 time(s)',
    );
    expect(() => fake.assertNothingBroadcasted()).toThrow(`but 1 broadcast(s) were.\n${recorded}`);
    expect(() => fake.assertBroadcastedTimes('order.shipped', 2)).toThrow(
      'Expected "order.shipped" to be broadcast 2 time(s), but it was broadcast 1 time(s).',
    );
  });
});

describe('createFakeBroadcastManager', () => {
  it('is a BroadcastManager whose driver() is the fake, and the facade can use it', async () => {
    const fake = new BroadcasterFake();
    const manager = createFakeBroadcastManager(fake);
    expect(manager).toBeInstanceOf(BroadcastManager);
    expect(manager.driver()).toBe(fake);
    expect(manager.connection('anything')).toBe(fake);
    Broadcast.setManager(manager);
    await Broadcast.event(new OrderShipped(1));
    fake.assertBroadcastedOn('private-orders.1', 'order.shipped');
  });

  it('still validates like the real manager', async () => {
    const manager = createFakeBroadcastManager();
    await expect(manager.send({ channels: 'bad channel', event: 'e' })).rejects.toThrow(
      'Invalid channel name',
    );
  });
});

describe('the two testing routes', () => {
  it('route 1: BroadcastTestingModule.forRoot(fake) instead of BroadcastModule', async () => {
    const fake = new BroadcasterFake();
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), BroadcastTestingModule.forRoot(fake)],
      providers: [ShippingService],
    }).compile();
    await moduleRef.init();

    await moduleRef.get(ShippingService).ship(1);

    expect(moduleRef.get(BroadcasterFake)).toBe(fake);
    fake.assertBroadcastedOn('private-orders.1', 'order.shipped');
    fake.assertBroadcasted('stats.changed', (call) => call.payload.shipped === 1);
    expect(Broadcast.getManager().driver()).toBe(fake);
    await moduleRef.close();
  });

  it('route 2: overrideProvider(BroadcastManager).useValue(createFakeBroadcastManager(fake))', async () => {
    const fake = new BroadcasterFake();
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), BroadcastModule.forRoot({ default: 'log' })],
      providers: [ShippingService],
    })
      .overrideProvider(BroadcastManager)
      .useValue(createFakeBroadcastManager(fake))
      .compile();
    await moduleRef.init();

    await moduleRef.get(ShippingService).ship(2);

    // Auto-broadcast and the facade both go through the override.
    fake.assertBroadcastedOn('private-orders.2', 'order.shipped');
    fake.assertBroadcastedTimes('stats.changed', 1);
    await Broadcast.send({ channels: 'x', event: 'via.facade' });
    fake.assertBroadcasted('via.facade');
    await moduleRef.close();
  });
});

describe('BroadcastTestingModule', () => {
  it('provides channel authorization like BroadcastModule: injectable, with @ChannelAuth discovered', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [BroadcastTestingModule.forRoot()],
      providers: [OrderChannels],
    }).compile();
    await moduleRef.init();

    const { authorizer, registry } = moduleRef.get(OrderChannels);
    expect(registry.patterns()).toEqual(['orders.{orderId}']);
    const granted = await authorizer.authorizeChannel({
      user: { id: 7 },
      socketId: '1234.1234',
      channelName: 'private-orders.7',
    });
    expect(granted.auth).toMatch(/^[^:]+:[0-9a-f]{64}$/);
    await expect(
      authorizer.authorizeChannel({
        user: { id: 8 },
        socketId: '1234.1234',
        channelName: 'private-orders.7',
      }),
    ).rejects.toMatchObject({ reason: 'callback_denied' });
    await moduleRef.close();
  });
});
