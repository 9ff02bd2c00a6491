import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Broadcast,
  BroadcastManager,
  BroadcastModule,
  type Broadcaster,
} from 'nestjs-broadcasting';
import { BroadcasterFake, BroadcastTestingModule } from 'nestjs-broadcasting/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrderListeners } from '../fixtures/core/order-listeners.js';
import { InvoicePaid, OrderShipped } from '../fixtures/core/order-shipped.event.js';
import { settle, waitFor } from '../fixtures/core/wait-for.js';

let app: TestingModule | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  vi.restoreAllMocks();
});

async function boot(fake = new BroadcasterFake()) {
  app = await Test.createTestingModule({
    imports: [EventEmitterModule.forRoot(), BroadcastTestingModule.forRoot(fake)],
    providers: [OrderListeners],
  }).compile();
  await app.init();
  return { fake, emitter: app.get(EventEmitter2), listeners: app.get(OrderListeners) };
}

describe('auto-broadcast through EventEmitter2.emitAsync', () => {
  it('broadcasts once, after the sync and the { async, promisify } listeners finished', async () => {
    const { fake, emitter, listeners } = await boot();

    await emitter.emitAsync('order.shipped', new OrderShipped(1));

    expect(listeners.log.sort()).toEqual(['async:1', 'sync:1']);
    expect(listeners.broadcastsSeenAtFinish).toEqual({ sync: 0, async: 0 });
    expect(fake.calls).toEqual([
      {
        channels: ['private-orders.1'],
        event: 'order.shipped',
        payload: { order_id: 1 },
        exceptSocketId: undefined,
      },
    ]);
  });

  it('rejects and broadcasts nothing when a sync listener throws', async () => {
    const { fake, emitter, listeners } = await boot();
    listeners.mode.sync = 'throw';

    await expect(emitter.emitAsync('order.shipped', new OrderShipped(2))).rejects.toThrow(
      'sync listener failed',
    );
    await settle();
    fake.assertNothingBroadcasted();
  });

  it('rejects and broadcasts nothing when an async listener rejects', async () => {
    const { fake, emitter, listeners } = await boot();
    listeners.mode.async = 'reject';

    await expect(emitter.emitAsync('order.shipped', new OrderShipped(3))).rejects.toThrow(
      'async listener failed',
    );
    await settle();
    fake.assertNothingBroadcasted();
  });

  it('broadcasts an event that has no listeners', async () => {
    const { fake, emitter } = await boot();
    await emitter.emitAsync('invoice.paid', new InvoicePaid(7, 120));
    expect(fake.calls).toEqual([
      {
        channels: ['invoices'],
        event: 'InvoicePaid',
        payload: { invoiceId: 7, amount: 120 },
        exceptSocketId: undefined,
      },
    ]);
  });

  it('skips an event whose broadcastWhen() is false', async () => {
    const { fake, emitter } = await boot();
    const event = Object.assign(new InvoicePaid(8, 0), { broadcastWhen: () => false });
    await emitter.emitAsync('invoice.paid', event);
    fake.assertNothingBroadcasted();
  });

  it('leaves events that are not broadcastable alone', async () => {
    const { fake, emitter } = await boot();
    const seen: unknown[] = [];
    emitter.on('plain', (value: unknown) => {
      seen.push(value);
    });
    expect(await emitter.emitAsync('plain', { orderId: 1 })).toEqual([undefined]);
    expect(emitter.emit('plain', 'x')).toBe(true);
    expect(seen).toEqual([{ orderId: 1 }, 'x']);
    await settle();
    fake.assertNothingBroadcasted();
  });
});

describe('auto-broadcast through EventEmitter2.emit', () => {
  it('returns synchronously, then broadcasts once after the async listener settled', async () => {
    const { fake, emitter, listeners } = await boot();

    expect(emitter.emit('order.shipped', new OrderShipped(4))).toBe(true);
    // The sync listener already ran; the async one and the broadcast have not.
    expect(listeners.log).toEqual(['sync:4']);
    fake.assertNothingBroadcasted();

    await waitFor(() => fake.calls.length > 0, 'the broadcast');
    expect(listeners.log).toEqual(['sync:4', 'async:4']);
    expect(listeners.broadcastsSeenAtFinish).toEqual({ sync: 0, async: 0 });
    await settle();
    fake.assertBroadcastedTimes('order.shipped', 1);
  });

  it('broadcasts nothing (and logs why) when a listener rejects', async () => {
    const { fake, emitter, listeners } = await boot();
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    listeners.mode.async = 'reject';

    emitter.emit('order.shipped', new OrderShipped(5));
    await waitFor(() => listeners.log.includes('async:5'), 'the async listener');
    await settle();

    fake.assertNothingBroadcasted();
    expect(errors.mock.calls.map(([message]) => String(message))).toContainEqual(
      expect.stringContaining(
        'A listener of "order.shipped" failed, so the event was not broadcast: async listener failed',
      ),
    );
  });

  it('waits for a listener registered with { async: true } alone to start', async () => {
    const { fake, emitter } = await boot();
    let broadcastsWhenStarted = -1;
    emitter.on('invoice.paid', () => (broadcastsWhenStarted = fake.calls.length), { async: true });

    emitter.emit('invoice.paid', new InvoicePaid(9, 1));
    await waitFor(() => fake.calls.length === 1, 'the broadcast');
    expect(broadcastsWhenStarted).toBe(0);
  });
});

describe('auto-broadcast wiring', () => {
  it('without BroadcastModule, events reach their listeners and nothing is hooked or broadcast', async () => {
    app = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot()],
      providers: [OrderListeners, { provide: BroadcasterFake, useValue: new BroadcasterFake() }],
    }).compile();
    await app.init();
    const emitter = app.get(EventEmitter2);
    const listeners = app.get(OrderListeners);

    await emitter.emitAsync('order.shipped', new OrderShipped(6));

    expect(listeners.log.sort()).toEqual(['async:6', 'sync:6']);
    expect(Object.prototype.hasOwnProperty.call(emitter, 'emit')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(emitter, 'emitAsync')).toBe(false);
    expect(() => Broadcast.getManager()).toThrow('BroadcastModule.forRoot()');
  });

  it('unhooks on shutdown: the emitter gets its own methods back', async () => {
    const { emitter } = await boot();
    expect(Object.prototype.hasOwnProperty.call(emitter, 'emitAsync')).toBe(true);
    await app!.close();
    app = undefined;
    expect(Object.prototype.hasOwnProperty.call(emitter, 'emit')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(emitter, 'emitAsync')).toBe(false);
  });

  it('a failing auto-broadcast is logged with event, channels and connection, handed to onError, and never reaches the emitter', async () => {
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const onError = vi.fn();
    const failing: Broadcaster = {
      broadcast: async () => {
        throw new Error('driver down');
      },
    };
    app = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        BroadcastModule.forRoot({ default: 'flaky', drivers: { flaky: () => failing }, onError }),
      ],
    }).compile();
    await app.init();
    const emitter = app.get(EventEmitter2);

    await expect(emitter.emitAsync('order.shipped', new OrderShipped(7))).resolves.toEqual([]);
    expect(() => emitter.emit('order.shipped', new OrderShipped(8))).not.toThrow();
    await waitFor(() => onError.mock.calls.length === 2, 'onError for both dispatches');

    expect(onError.mock.calls[0][0]).toBeInstanceOf(Error);
    expect(onError.mock.calls[0][1]).toEqual({
      event: 'order.shipped',
      channels: ['private-orders.7'],
      connection: 'flaky',
    });
    expect(errors.mock.calls.map(([message]) => String(message))).toContainEqual(
      'Broadcast of "order.shipped" on [private-orders.7] via connection "flaky" failed: driver down',
    );
    // Sending directly still rejects.
    await expect(app.get(BroadcastManager).event(new OrderShipped(9))).rejects.toThrow(
      'driver down',
    );
  });

  it('an invalid event (bad channel) is reported, not thrown at the emitter', async () => {
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const onError = vi.fn();
    app = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), BroadcastModule.forRoot({ onError })],
    }).compile();
    await app.init();
    const bad = Object.assign(new InvoicePaid(1, 1), { broadcastOn: () => 'has spaces' });

    await app.get(EventEmitter2).emitAsync('invoice.paid', bad);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(String(onError.mock.calls[0][0])).toContain('Invalid channel name "has spaces"');
  });
});

@Injectable()
class Relay {
  @OnEvent('invoice.paid')
  handle(): void {}
}

describe('exactly once', () => {
  it('two broadcast modules sharing one emitter broadcast each dispatch once', async () => {
    const fake = new BroadcasterFake();
    app = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        BroadcastTestingModule.forRoot(fake),
        BroadcastModule.forRoot({ default: 'recorder', drivers: { recorder: () => fake } }),
      ],
      providers: [Relay],
    }).compile();
    await app.init();

    await app.get(EventEmitter2).emitAsync('invoice.paid', new InvoicePaid(1, 2));
    app.get(EventEmitter2).emit('invoice.paid', new InvoicePaid(2, 2));
    await waitFor(() => fake.calls.length >= 2, 'both broadcasts');
    await settle();
    fake.assertBroadcastedTimes('InvoicePaid', 2);
  });
});

describe('with fake timers', () => {
  it('emitAsync of a broadcastable event still resolves and broadcasts', async () => {
    const { fake, emitter } = await boot();
    vi.useFakeTimers();
    try {
      await emitter.emitAsync('invoice.paid', new InvoicePaid(3, 3));
      fake.assertBroadcastedTimes('InvoicePaid', 1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('before and after the app runs', () => {
  it('an event emitted before init is delivered to nobody and not broadcast; after init it is', async () => {
    const fake = new BroadcasterFake();
    app = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), BroadcastTestingModule.forRoot(fake)],
      providers: [OrderListeners],
    }).compile();
    const emitter = app.get(EventEmitter2);

    await emitter.emitAsync('invoice.paid', new InvoicePaid(1, 1));
    expect(Object.prototype.hasOwnProperty.call(emitter, 'emitAsync')).toBe(false);
    fake.assertNothingBroadcasted();

    await app.init();
    await emitter.emitAsync('invoice.paid', new InvoicePaid(2, 1));
    fake.assertBroadcastedTimes('InvoicePaid', 1);

    await app.close();
    app = undefined;
    await emitter.emitAsync('invoice.paid', new InvoicePaid(3, 1));
    fake.assertBroadcastedTimes('InvoicePaid', 1);
  });
});
