import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  Broadcastable,
  BroadcastDriverError,
  BroadcastManager,
  type Broadcaster,
  type BroadcastSendOptions,
} from 'nestjs-broadcasting';
import { BroadcasterFake } from 'nestjs-broadcasting/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NullBroadcaster } from '../../lib/drivers/null.broadcaster.js';
import { RedisBroadcaster } from '../../lib/drivers/redis.broadcaster.js';
import type { RedisPublisher } from '../../lib/shared/redis/redis-clients.js';
import { defaultBroadcastConfig } from '../../lib/config/default-config.js';
import { isBroadcastableEvent } from '../../lib/events/broadcast-event.js';
import { hookEventEmitter } from '../../lib/events/event-emitter.hook.js';
import { InvoicePaid } from '../fixtures/core/order-shipped.event.js';
import { waitFor } from '../fixtures/core/wait-for.js';

afterEach(() => vi.restoreAllMocks());

/** A hooked raw EventEmitter2 recording what would be broadcast. */
function hooked(options?: ConstructorParameters<typeof EventEmitter2>[0]) {
  const emitter = new EventEmitter2(options);
  const broadcasts: object[] = [];
  hookEventEmitter(
    emitter,
    async (event) => void broadcasts.push(event),
    () => undefined,
  );
  return { emitter, broadcasts };
}

/** Resolves in the next macrotask; `ran()` says whether it has run yet. */
function macrotaskProbe() {
  let ran = false;
  setImmediate(() => (ran = true));
  return { ran: () => ran };
}

describe('the hook yields a macrotask only for { async: true } listeners', () => {
  it('emitAsync without async listeners broadcasts before the next macrotask', async () => {
    const { emitter, broadcasts } = hooked();
    emitter.on('invoice.paid', () => undefined);
    emitter.on('invoice.paid', async () => undefined); // returns a promise: no _async mark
    const probe = macrotaskProbe();
    await emitter.emitAsync('invoice.paid', new InvoicePaid(1, 1));
    expect(broadcasts).toHaveLength(1);
    expect(probe.ran()).toBe(false);
  });

  it('emit without async listeners broadcasts before the next macrotask', async () => {
    const { emitter, broadcasts } = hooked();
    emitter.on('invoice.paid', () => undefined);
    emitter.emit('invoice.paid', new InvoicePaid(1, 1));
    expect(broadcasts).toHaveLength(0); // emit itself returns first
    const seen = await new Promise<number>((resolve) =>
      setImmediate(() => resolve(broadcasts.length)),
    );
    expect(seen).toBe(1);
  });

  it('follows listeners added and removed at runtime', async () => {
    const { emitter, broadcasts } = hooked();
    emitter.on('invoice.paid', () => undefined);
    await emitter.emitAsync('invoice.paid', new InvoicePaid(1, 1));

    // An async listener added later: the broadcast waits until it has started.
    let broadcastsWhenStarted = -1;
    const late = () => void (broadcastsWhenStarted = broadcasts.length);
    emitter.on('invoice.paid', late, { async: true });
    await emitter.emitAsync('invoice.paid', new InvoicePaid(2, 1));
    expect(broadcastsWhenStarted).toBe(1);
    expect(broadcasts).toHaveLength(2);

    // Removed again (off() gets the original listener): no more yield.
    emitter.off('invoice.paid', late);
    expect(emitter.listeners('invoice.paid')).toHaveLength(1);
    let probe = macrotaskProbe();
    await emitter.emitAsync('invoice.paid', new InvoicePaid(3, 1));
    expect(probe.ran()).toBe(false);

    // removeAllListeners announces nothing; the next dispatch still sees the truth.
    emitter.on('invoice.paid', () => undefined, { async: true });
    emitter.removeAllListeners('invoice.paid');
    probe = macrotaskProbe();
    await emitter.emitAsync('invoice.paid', new InvoicePaid(4, 1));
    expect(probe.ran()).toBe(false);
    expect(broadcasts).toHaveLength(4);
  });

  it('waits for a once({ async: true }) listener, which removes itself while running', async () => {
    const { emitter, broadcasts } = hooked();
    let broadcastsWhenStarted = -1;
    emitter.once('invoice.paid', () => void (broadcastsWhenStarted = broadcasts.length), {
      async: true,
    });
    await emitter.emitAsync('invoice.paid', new InvoicePaid(1, 1));
    expect(broadcastsWhenStarted).toBe(0);
    expect(broadcasts).toHaveLength(1);
  });

  it('on a wildcard emitter, waits for an async listener of a matching pattern only', async () => {
    const { emitter, broadcasts } = hooked({ wildcard: true });
    let broadcastsWhenStarted = -1;
    emitter.on('invoice.*', () => void (broadcastsWhenStarted = broadcasts.length), {
      async: true,
    });
    await emitter.emitAsync('invoice.paid', new InvoicePaid(1, 1));
    expect(broadcastsWhenStarted).toBe(0);

    emitter.on('order.paid', () => undefined);
    const probe = macrotaskProbe();
    await emitter.emitAsync('order.paid', new InvoicePaid(2, 1));
    expect(probe.ran()).toBe(false);
    expect(broadcasts).toHaveLength(2);
  });

  it('an emit waits for an { async: true } listener too', async () => {
    const { emitter, broadcasts } = hooked();
    let broadcastsWhenStarted = -1;
    emitter.on('invoice.paid', () => void (broadcastsWhenStarted = broadcasts.length), {
      async: true,
    });
    emitter.emit('invoice.paid', new InvoicePaid(1, 1));
    await waitFor(() => broadcasts.length === 1, 'the broadcast');
    expect(broadcastsWhenStarted).toBe(0);
  });

  it('knows async listeners from their registration, not from EventEmitter2 internals', async () => {
    const { emitter, broadcasts } = hooked();
    let broadcastsWhenStarted = -1;
    emitter.on('invoice.paid', () => void (broadcastsWhenStarted = broadcasts.length), {
      async: true,
    });
    // Strip EventEmitter2's private mark from the stored wrapper: the hook must not need it.
    for (const fn of emitter.listeners('invoice.paid')) delete (fn as { _async?: boolean })._async;
    await emitter.emitAsync('invoice.paid', new InvoicePaid(1, 1));
    expect(broadcastsWhenStarted).toBe(0);
    expect(broadcasts).toHaveLength(1);
  });

  it('waits for listeners attached before the hook, whose options it could not see', async () => {
    const emitter = new EventEmitter2();
    let broadcastsWhenStarted = -1;
    const broadcasts: object[] = [];
    emitter.on('invoice.paid', () => void (broadcastsWhenStarted = broadcasts.length), {
      async: true,
    });
    hookEventEmitter(
      emitter,
      async (event) => void broadcasts.push(event),
      () => undefined,
    );
    await emitter.emitAsync('invoice.paid', new InvoicePaid(1, 1));
    expect(broadcastsWhenStarted).toBe(0);
    expect(broadcasts).toHaveLength(1);
  });

  it('gives back the registration methods when unhooked', () => {
    const emitter = new EventEmitter2();
    const unhook = hookEventEmitter(
      emitter,
      async () => undefined,
      () => undefined,
    );
    expect(Object.prototype.hasOwnProperty.call(emitter, 'on')).toBe(true);
    unhook!();
    expect(Object.prototype.hasOwnProperty.call(emitter, 'on')).toBe(false);
    expect(emitter.on).toBe(EventEmitter2.prototype.on);
  });

  it('an event object without a prototype reaches its listeners', async () => {
    const { emitter, broadcasts } = hooked();
    const seen: unknown[] = [];
    emitter.on('bare', (value: unknown) => void seen.push(value));
    const bare = Object.assign(Object.create(null) as object, { id: 1 });
    await emitter.emitAsync('bare', bare);
    expect(seen).toEqual([bare]);
    expect(broadcasts).toEqual([]);
  });
});

describe('@Broadcastable metadata, cached per class', () => {
  it('a decoration after a first look is seen, also by subclasses', () => {
    class Base {}
    class Sub extends Base {}
    expect(isBroadcastableEvent(new Sub())).toBe(false); // remembered as not broadcastable
    Broadcastable()(Base);
    expect(isBroadcastableEvent(new Sub())).toBe(true);
    expect(isBroadcastableEvent(new Base())).toBe(true);
  });

  it('a subclass inherits the options of its parent and may override them', async () => {
    @Broadcastable({ as: 'parent.event' })
    class Parent {
      broadcastOn() {
        return 'c';
      }
    }
    class Child extends Parent {}
    @Broadcastable({ as: 'own.event' })
    class Own extends Parent {}
    const fake = new BroadcasterFake();
    const manager = new BroadcastManager({ ...defaultBroadcastConfig(), default: 'fake' });
    manager.extend('fake', () => fake);
    await manager.event(new Child());
    await manager.event(new Own());
    await manager.event(new Parent());
    expect(fake.calls.map((call) => call.event)).toEqual([
      'parent.event',
      'own.event',
      'parent.event',
    ]);
  });

  it('the default payload holds own enumerable data fields only', async () => {
    class Base {
      inherited = 'own, set by the parent constructor';
      broadcastOn() {
        return 'c';
      }
    }
    Object.defineProperty(Base.prototype, 'onPrototype', { value: 1, enumerable: true });
    class Paid extends Base {
      callback = () => undefined;
      constructor(readonly id: number) {
        super();
      }
    }
    const fake = new BroadcasterFake();
    const manager = new BroadcastManager({ ...defaultBroadcastConfig(), default: 'fake' });
    manager.extend('fake', () => fake);
    await manager.event(new Paid(3));
    expect(fake.calls[0].payload).toEqual({
      inherited: 'own, set by the parent constructor',
      id: 3,
    });
  });
});

/** A payload that counts how often it is serialized. */
function countedPayload() {
  const toJSON = vi.fn(() => 'serialized');
  return { payload: { n: 1, nested: { toJSON } }, toJSON };
}

/** A redis client that records publishes instead of sending them. */
function recordingRedis(autoPipelining = true) {
  const published: Array<[string, string]> = [];
  const client: RedisPublisher = {
    options: { enableAutoPipelining: autoPipelining },
    publish: async (channel, message) => void published.push([channel, message]),
    pipeline: () => {
      throw new Error('an auto-pipelining client needs no Pipeline');
    },
    quit: async () => undefined,
    disconnect: () => undefined,
  };
  return { client, published };
}

describe('the payload is serialized once per broadcast', () => {
  it('the redis driver splices in the JSON the manager already made', async () => {
    const { client, published } = recordingRedis();
    const manager = new BroadcastManager({ ...defaultBroadcastConfig(), default: 'r' });
    manager.extend(
      'r',
      () => new RedisBroadcaster({ connection: 'r', client, url: '', prefix: 'p:' }),
    );
    const { payload, toJSON } = countedPayload();

    await manager.send({ channels: ['a', 'b'], event: 'e', payload, exceptSocketId: '1.2' });

    expect(toJSON).toHaveBeenCalledTimes(1);
    const body = '{"event":"e","data":{"n":1,"nested":"serialized"},"socket":"1.2"}';
    expect(published).toEqual([
      ['p:a', body],
      ['p:b', body],
    ]);
  });

  it('a driver used directly serializes for itself, with the same body', async () => {
    const { client, published } = recordingRedis();
    const driver = new RedisBroadcaster({ connection: 'r', client, url: '', prefix: 'p:' });
    await driver.broadcast(['a'], 'e', { n: 1, s: 'é "q"' });
    expect(published).toEqual([
      ['p:a', JSON.stringify({ event: 'e', data: { n: 1, s: 'é "q"' }, socket: null })],
    ]);
  });

  it('a subclass that swaps the payload gets its own payload serialized', async () => {
    class Stamped extends RedisBroadcaster {
      override broadcast(
        channels: string[],
        event: string,
        payload: Record<string, unknown>,
        options?: BroadcastSendOptions,
      ) {
        return super.broadcast(channels, event, { ...payload, stamped: true }, options);
      }
    }
    const { client, published } = recordingRedis();
    const manager = new BroadcastManager({ ...defaultBroadcastConfig(), default: 's' });
    manager.extend('s', () => new Stamped({ connection: 's', client, url: '', prefix: '' }));
    await manager.send({ channels: 'a', event: 'e', payload: { n: 1 } });
    expect(published[0][1]).toBe('{"event":"e","data":{"n":1,"stamped":true},"socket":null}');
  });

  it('custom drivers get the options they always got, nothing more', async () => {
    const seen: BroadcastSendOptions[] = [];
    const custom: Broadcaster = {
      broadcast: async (_c, _e, _p, options = {}) => void seen.push(options),
    };
    const { client } = recordingRedis();
    const manager = new BroadcastManager(defaultBroadcastConfig());
    manager
      .extend('custom', () => custom)
      .extend('r', () => new RedisBroadcaster({ connection: 'r', client, url: '', prefix: '' }));
    await manager.send({ channels: 'a', event: 'e', connection: ['r', 'custom'] });
    await manager.send({ channels: 'a', event: 'e', exceptSocketId: '1.1', connection: 'custom' });
    expect(seen).toEqual([{}, { exceptSocketId: '1.1' }]);
    expect(seen.flatMap((options) => Object.getOwnPropertySymbols(options))).toEqual([]);
  });

  it('the log driver logs the same JSON without serializing again', async () => {
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const manager = new BroadcastManager(
      { ...defaultBroadcastConfig(), default: 'log' },
      { logPayload: true },
    );
    const { payload, toJSON } = countedPayload();
    await manager.send({ channels: 'a', event: 'e', payload });
    expect(toJSON).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(
      'Broadcasting "e" on [a] with payload {"n":1,"nested":"serialized"}',
    );
  });
});

describe('only the null driver: the payload is still checked, nothing is sent', () => {
  it('reports an unserializable payload even when only the null driver receives it', async () => {
    const manager = new BroadcastManager(defaultBroadcastConfig()); // default: null
    // The default driver must not hide what redis or pusher would refuse in production.
    await expect(manager.send({ channels: 'a', event: 'e', payload: { id: 1n } })).rejects.toThrow(
      BroadcastDriverError,
    );
    const { payload, toJSON } = countedPayload();
    await manager.send({ channels: ['a', 'b'], event: 'e', payload });
    expect(toJSON).toHaveBeenCalledTimes(1);
  });

  it('still rejects invalid channels, event names, socket ids and non-object payloads', async () => {
    const manager = new BroadcastManager(defaultBroadcastConfig());
    await expect(manager.send({ channels: 'bad name', event: 'e' })).rejects.toThrow(
      'Invalid channel name "bad name"',
    );
    await expect(manager.send({ channels: 'c', event: '' })).rejects.toThrow(
      'Event names must be 1 to 200 characters',
    );
    await expect(
      manager.send({ channels: 'c', event: 'e', exceptSocketId: 'nope' }),
    ).rejects.toThrow('is not a socket id');
    await expect(
      manager.send({ channels: 'c', event: 'e', payload: [1] as never }),
    ).rejects.toThrow('must be a plain object');
  });

  it('with the null driver beside a real one, the payload is checked before either sends', async () => {
    const fake = new BroadcasterFake();
    const manager = new BroadcastManager(defaultBroadcastConfig());
    manager.extend('fake', () => fake);
    const error = await manager
      .send({ channels: 'c', event: 'e', payload: { id: 1n }, connection: ['null', 'fake'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastDriverError);
    expect((error as Error).message).toContain('cannot be serialized to JSON');
    fake.assertNothingBroadcasted();
  });

  it('a null driver whose broadcast is replaced (a spy) is called like any driver', async () => {
    const manager = new BroadcastManager(defaultBroadcastConfig());
    const broadcaster = manager.connection();
    expect(broadcaster).toBeInstanceOf(NullBroadcaster);
    const spy = vi.spyOn(broadcaster, 'broadcast');
    await manager.send({ channels: 'c', event: 'e', payload: { n: 1 } });
    expect(spy).toHaveBeenCalledWith(['c'], 'e', { n: 1 }, {});
  });
});

describe('delivery failures', () => {
  it('a driver that throws instead of rejecting is reported by an auto-broadcast, not thrown', async () => {
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const onError = vi.fn();
    const manager = new BroadcastManager(
      { ...defaultBroadcastConfig(), default: 'sync' },
      { onError },
    );
    manager.extend('sync', () => ({
      broadcast: () => {
        throw new Error('thrown synchronously');
      },
    }));
    await expect(
      manager.broadcastDispatched(new InvoicePaid(1, 1), undefined),
    ).resolves.toBeUndefined();
    expect(String(onError.mock.calls[0][0])).toContain('thrown synchronously');
    await expect(manager.send({ channels: 'c', event: 'e' })).rejects.toThrow(
      'thrown synchronously',
    );
  });
});
