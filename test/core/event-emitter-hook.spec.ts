import { EventEmitter2 } from '@nestjs/event-emitter';
import { describe, expect, it, vi } from 'vitest';
import { hookEventEmitter } from '../../lib/events/event-emitter.hook.js';
import { InvoicePaid } from '../fixtures/core/order-shipped.event.js';
import { settle, waitFor } from '../fixtures/core/wait-for.js';

/** A hooked raw EventEmitter2, recording what would be broadcast. */
function hooked(options?: ConstructorParameters<typeof EventEmitter2>[0]) {
  const emitter = new EventEmitter2(options);
  const broadcasts: object[] = [];
  const failures: unknown[] = [];
  const unhook = hookEventEmitter(
    emitter,
    async (event) => {
      broadcasts.push(event);
    },
    (_name, error) => failures.push(error),
  );
  return { emitter, broadcasts, failures, unhook: unhook! };
}

describe('hookEventEmitter on a raw EventEmitter2', () => {
  it('emit keeps its return value: true with listeners, false without', async () => {
    const { emitter, broadcasts } = hooked();
    expect(emitter.emit('nobody.listens', new InvoicePaid(1, 1))).toBe(false);
    emitter.on('heard', () => undefined);
    expect(emitter.emit('heard', new InvoicePaid(2, 1))).toBe(true);
    await waitFor(() => broadcasts.length === 2, 'two broadcasts');
  });

  it('a plain listener that throws makes emit throw, and nothing is broadcast', async () => {
    const { emitter, broadcasts } = hooked();
    emitter.on('boom', () => {
      throw new Error('listener exploded');
    });
    expect(() => emitter.emit('boom', new InvoicePaid(1, 1))).toThrow('listener exploded');
    await expect(emitter.emitAsync('boom', new InvoicePaid(1, 1))).rejects.toThrow(
      'listener exploded',
    );
    await settle();
    expect(broadcasts).toEqual([]);
  });

  it('works with wildcard emitters', async () => {
    const { emitter, broadcasts } = hooked({ wildcard: true });
    const heard: string[] = [];
    emitter.on('invoice.*', () => heard.push('wildcard'));
    await emitter.emitAsync('invoice.paid', new InvoicePaid(1, 1));
    expect(heard).toEqual(['wildcard']);
    expect(broadcasts).toHaveLength(1);
  });

  it("does not touch 'error' events", () => {
    const { emitter } = hooked();
    expect(() => emitter.emit('error', new InvoicePaid(1, 1))).toThrow(
      "Uncaught, unspecified 'error' event.",
    );
  });

  it('a second hook on the same emitter is refused, so a dispatch broadcasts once', async () => {
    const { emitter, broadcasts } = hooked();
    const second = vi.fn(async () => undefined);
    expect(hookEventEmitter(emitter, second, () => undefined)).toBeUndefined();
    await emitter.emitAsync('x', new InvoicePaid(1, 1));
    expect(broadcasts).toHaveLength(1);
    expect(second).not.toHaveBeenCalled();
  });

  it('unhooked, it passes through even when someone wrapped it since', async () => {
    const { emitter, broadcasts, unhook } = hooked();
    const ours = emitter.emitAsync;
    const wrapped = vi.fn(function (this: EventEmitter2, ...args: unknown[]) {
      return ours.apply(this, args as never);
    });
    emitter.emitAsync = wrapped as never;
    unhook();
    expect(emitter.emitAsync).toBe(wrapped); // left in place
    await emitter.emitAsync('x', new InvoicePaid(1, 1));
    emitter.emit('x', new InvoicePaid(1, 1));
    await settle();
    expect(broadcasts).toEqual([]);
    // And the emitter can be hooked again.
    expect(
      hookEventEmitter(
        emitter,
        async () => undefined,
        () => undefined,
      ),
    ).toBeTypeOf('function');
  });
});

describe('re-entrant dispatch', () => {
  it('an emitAsync that was wrapped to call emit broadcasts once and does not recurse', async () => {
    const emitter = new EventEmitter2();
    const heard: string[] = [];
    emitter.on('paid', () => heard.push('listener'));
    // A wrapper installed before the hook, implemented on top of emit.
    emitter.emitAsync = function (this: EventEmitter2, ...args: unknown[]) {
      return Promise.resolve([this.emit(...(args as [string, unknown]))]);
    } as never;
    const broadcasts: object[] = [];
    hookEventEmitter(
      emitter,
      async (event) => void broadcasts.push(event),
      () => undefined,
    );

    await emitter.emitAsync('paid', new InvoicePaid(1, 1));
    await settle();
    expect(heard).toEqual(['listener']);
    expect(broadcasts).toHaveLength(1);
  });

  it('a listener re-emitting the same event object is part of the same dispatch', async () => {
    const { emitter, broadcasts } = hooked();
    const event = new InvoicePaid(1, 1);
    emitter.on('paid', (e: object) => emitter.emit('paid.audit', e));
    const audited: object[] = [];
    emitter.on('paid.audit', (e: object) => audited.push(e));

    await emitter.emitAsync('paid', event);
    await settle();
    expect(audited).toEqual([event]);
    expect(broadcasts).toEqual([event]);

    // A later, separate dispatch of the same object is broadcast again.
    await emitter.emitAsync('paid.audit', event);
    expect(broadcasts).toHaveLength(2);
  });
});
