import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Broadcast,
  BroadcastDriverError,
  BroadcastChannelError,
  BroadcastManager,
  BroadcastModule,
  Broadcastable,
  type BroadcastErrorContext,
} from 'nestjs-broadcasting';
import type { StandardSchemaV1 } from 'nestjs-broadcasting/contract';
import { BroadcasterFake } from 'nestjs-broadcasting/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  OrderChannel,
  OrderNoted,
  OrderShipped,
  Shipments,
  ShipmentsCounted,
} from './fixtures/shop.contracts.js';

@Broadcastable(OrderShipped)
class OrderWasShipped {
  constructor(
    readonly orderId: number,
    readonly tracking: string,
  ) {}

  broadcastOn() {
    return OrderChannel.name({ orderId: this.orderId });
  }

  broadcastWith() {
    return { orderId: this.orderId, tracking: this.tracking };
  }
}

@Broadcastable(ShipmentsCounted, { toOthers: false })
class CountChanged {
  constructor(readonly count: number) {}
  broadcastOn() {
    return [Shipments.name()];
  }
  broadcastWith() {
    return { count: this.count };
  }
}

/** A Standard Schema that validates asynchronously, as some vendors may. */
const slowSchema: StandardSchemaV1<{ ok: boolean }> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: async (value) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return (value as { ok?: unknown }).ok === true
        ? { value: value as { ok: boolean } }
        : { issues: [{ message: 'must be true', path: [{ key: 'ok' }] }] };
    },
  },
};
const SlowChecked = OrderChannel.event('order.slow', slowSchema);

let app: TestingModule | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A Nest app whose default connection records what reaches the driver. */
async function boot() {
  const fake = new BroadcasterFake();
  const errors: Array<{ error: unknown; context: BroadcastErrorContext }> = [];
  app = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      BroadcastModule.forRoot({
        default: 'recording',
        drivers: { recording: () => fake },
        onError: (error, context) => errors.push({ error, context }),
      }),
    ],
  }).compile();
  await app.init();
  return { fake, errors, manager: app.get(BroadcastManager), emitter: app.get(EventEmitter2) };
}

describe('send(contract, params, payload)', () => {
  it('publishes on the channel the contract builds, under the contract event name', async () => {
    const { fake, manager } = await boot();
    await manager.send(OrderShipped, { orderId: 7 }, { orderId: 7, tracking: 'TRK-1' });
    expect(fake.calls).toEqual([
      {
        channels: ['private-orders.7'],
        event: 'order.shipped',
        payload: { orderId: 7, tracking: 'TRK-1' },
        exceptSocketId: undefined,
      },
    ]);
  });

  it('sends the schema output: keys the zod object does not declare are dropped', async () => {
    const { fake, manager } = await boot();
    const leaky = { orderId: 7, tracking: 'TRK-1', internalNote: 'do not ship to the browser' };
    await manager.send(OrderShipped, { orderId: 7 }, leaky);
    expect(fake.calls[0].payload).toEqual({ orderId: 7, tracking: 'TRK-1' });
  });

  it('rejects a payload the zod schema refuses before any driver runs, naming the field', async () => {
    const { fake, manager } = await boot();
    const sent = manager.send(OrderShipped, { orderId: 7 }, { orderId: 7, tracking: 'x' });
    await expect(sent).rejects.toThrow(BroadcastDriverError);
    await expect(sent).rejects.toThrow(
      'The payload of "order.shipped" does not match its contract: field "tracking": Too small: expected string to have >=3 characters. ' +
        'Fix what broadcastWith() (or send()) returns, or the schema of the event contract.',
    );
    expect(fake.calls).toEqual([]);
  });

  it('names every refused field of a valibot schema', async () => {
    const { fake, manager } = await boot();
    const sent = manager.send(ShipmentsCounted, {}, { count: -1 });
    await expect(sent).rejects.toThrow(
      'The payload of "shipments.counted" does not match its contract: field "count": Invalid value: Expected >=0 but received -1.',
    );
    expect(fake.calls).toEqual([]);
  });

  it('waits for an asynchronous schema, and refuses what it refuses', async () => {
    const { fake, manager } = await boot();
    await manager.send(SlowChecked, { orderId: 1 }, { ok: true });
    await expect(manager.send(SlowChecked, { orderId: 1 }, { ok: false })).rejects.toThrow(
      'The payload of "order.slow" does not match its contract: field "ok": must be true.',
    );
    expect(fake.calls.map((call) => call.payload)).toEqual([{ ok: true }]);
  });

  it('sends a typed<T>() payload as is: nothing to validate at run time', async () => {
    const { fake, manager } = await boot();
    await manager.send(OrderNoted, { orderId: 'A1' }, { note: 'fragile' });
    expect(fake.calls[0]).toMatchObject({
      channels: ['private-orders.A1'],
      event: 'order.noted',
      payload: { note: 'fragile' },
    });
  });

  it('rejects a missing channel parameter with a BroadcastChannelError', async () => {
    const { fake, manager } = await boot();
    const sent = manager.send(OrderShipped, {} as never, { orderId: 7, tracking: 'TRK-1' });
    await expect(sent).rejects.toThrow(BroadcastChannelError);
    await expect(sent).rejects.toThrow(
      'Channel "orders.{orderId}" needs the parameter "orderId" (got no parameters).',
    );
    expect(fake.calls).toEqual([]);
  });

  it('works through the Broadcast facade and toOthers()', async () => {
    const { fake, manager } = await boot();
    await Broadcast.send(OrderNoted, { orderId: 2 }, { note: 'facade' });
    await manager.toOthers('123.456').send(OrderNoted, { orderId: 3 }, { note: 'others' });
    expect(fake.calls.map((call) => [call.channels[0], call.exceptSocketId])).toEqual([
      ['private-orders.2', undefined],
      ['private-orders.3', '123.456'],
    ]);
  });

  it('still takes the message object, and refuses anything else with a clear error', async () => {
    const { fake, manager } = await boot();
    await manager.send({ channels: 'news', event: 'plain', payload: { a: 1 } });
    expect(fake.calls[0].event).toBe('plain');
    await expect(manager.send('order.shipped' as never)).rejects.toThrow(
      'send() takes a message object or an event contract made by channel.event(name, payload) (got string).',
    );
  });
});

describe('@Broadcastable(contract)', () => {
  it('broadcasts under the contract name after an emitAsync', async () => {
    const { fake, emitter } = await boot();
    await emitter.emitAsync('order.shipped', new OrderWasShipped(5, 'TRK-5'));
    expect(fake.calls).toEqual([
      {
        channels: ['private-orders.5'],
        event: 'order.shipped',
        payload: { orderId: 5, tracking: 'TRK-5' },
        exceptSocketId: undefined,
      },
    ]);
  });

  it('validates before any driver, and reports an auto-broadcast refusal to onError', async () => {
    const { fake, errors, emitter } = await boot();
    await emitter.emitAsync('shipments', new CountChanged(-3));
    expect(fake.calls).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].error).toBeInstanceOf(BroadcastDriverError);
    expect((errors[0].error as Error).message).toBe(
      'The payload of "shipments.counted" does not match its contract: field "count": Invalid value: Expected >=0 but received -3. ' +
        'Fix what broadcastWith() (or send()) returns, or the schema of the event contract.',
    );
    expect(errors[0].context).toEqual({
      event: 'shipments.counted',
      channels: ['shipments'],
      connection: 'recording',
    });
  });

  it('rejects manager.event() with the same error', async () => {
    const { fake, manager } = await boot();
    await expect(manager.event(new OrderWasShipped(5, 'no'))).rejects.toThrow(
      'field "tracking": Too small: expected string to have >=3 characters',
    );
    expect(fake.calls).toEqual([]);
  });
});

describe('BroadcasterFake with contracts', () => {
  it('asserts by contract, its predicate typed by the payload', async () => {
    const { fake, manager } = await boot();
    await manager.send(OrderShipped, { orderId: 9 }, { orderId: 9, tracking: 'TRK-9' });
    fake.assertBroadcasted(OrderShipped, (call) => call.payload.tracking === 'TRK-9');
    fake.assertBroadcastedOn(OrderChannel.name({ orderId: 9 }), OrderShipped);
    fake.assertBroadcastedTimes(OrderShipped, 1);
    fake.assertNotBroadcasted(ShipmentsCounted);
    expect(() =>
      fake.assertBroadcasted(OrderShipped, (call) => call.payload.orderId === 1),
    ).toThrow(
      'Expected "order.shipped" to be broadcast with a call matching the predicate, but none matched.\n' +
        'Recorded broadcasts:\n  1. "order.shipped" on [private-orders.9] {"orderId":9,"tracking":"TRK-9"}',
    );
    expect(() => fake.assertBroadcasted(ShipmentsCounted)).toThrow(
      'Expected "shipments.counted" to be broadcast, but it was not.',
    );
  });
});
