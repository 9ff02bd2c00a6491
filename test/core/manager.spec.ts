import { Logger } from '@nestjs/common';
import {
  Broadcastable,
  BroadcastChannelError,
  BroadcastDriverError,
  BroadcastException,
  BroadcastManager,
  Channel,
  EncryptedPrivateChannel,
  LocalBroadcastHub,
  PresenceChannel,
  PrivateChannel,
  defaultLocalHub,
  type Broadcaster,
  type HubMessage,
  type ResolvedBroadcastConfig,
} from 'nestjs-broadcasting';
import { BroadcasterFake } from 'nestjs-broadcasting/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultBroadcastConfig } from '../../lib/config/default-config.js';
import { LogBroadcaster } from '../../lib/drivers/log.broadcaster.js';
import { NullBroadcaster } from '../../lib/drivers/null.broadcaster.js';
import { builtinDrivers, DRIVER_ALIASES } from '../../lib/drivers/driver-registry.js';
import { RedisBroadcaster } from '../../lib/drivers/redis.broadcaster.js';
import { InvoicePaid, OrderShipped } from '../fixtures/core/order-shipped.event.js';

afterEach(() => vi.restoreAllMocks());

function managerWith(config: Partial<ResolvedBroadcastConfig> = {}, fake = new BroadcasterFake()) {
  const manager = new BroadcastManager({
    ...defaultBroadcastConfig(),
    default: 'recorder',
    ...config,
  });
  manager.extend('recorder', () => fake);
  return { manager, fake };
}

describe('channels', () => {
  it('name helpers add their prefix once', () => {
    expect(new Channel('orders.1').name).toBe('orders.1');
    expect(new PrivateChannel('orders.1').name).toBe('private-orders.1');
    expect(new PrivateChannel('private-orders.1').name).toBe('private-orders.1');
    expect(new PresenceChannel('room.2').name).toBe('presence-room.2');
    expect(new EncryptedPrivateChannel('vault').name).toBe('private-encrypted-vault');
    expect(`${new PresenceChannel('x')}`).toBe('presence-x');
  });
});

describe('BroadcastManager.send', () => {
  it('hands channel names, event, payload and the excluded socket to the driver', async () => {
    const { manager, fake } = managerWith();
    await manager.send({
      channels: [new PrivateChannel('orders.1'), 'orders', 'orders'],
      event: 'order.shipped',
      payload: { order_id: 1 },
      exceptSocketId: '1.2',
    });
    expect(fake.calls).toEqual([
      {
        channels: ['private-orders.1', 'orders'],
        event: 'order.shipped',
        payload: { order_id: 1 },
        exceptSocketId: '1.2',
      },
    ]);
  });

  it('sends nothing for an empty channel list', async () => {
    const { manager, fake } = managerWith();
    await manager.send({ channels: [], event: 'e', payload: {} });
    fake.assertNothingBroadcasted();
  });

  it('rejects an invalid channel name with BroadcastChannelError before sending anything', async () => {
    const { manager, fake } = managerWith();
    const error = await manager
      .send({ channels: ['ok', 'bad name!'], event: 'e' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastChannelError);
    expect((error as BroadcastChannelError).channel).toBe('bad name!');
    await expect(manager.send({ channels: 'x'.repeat(201), event: 'e' })).rejects.toThrow(
      'at most 200 characters',
    );
    fake.assertNothingBroadcasted();
  });

  it.each([
    ['a BigInt', { id: 10n }, 'cannot be serialized to JSON'],
    [
      'a cycle',
      (() => {
        const a: Record<string, unknown> = {};
        a.self = a;
        return a;
      })(),
      'cannot be serialized to JSON',
    ],
    ['an array', [1, 2], 'must be a plain object'],
  ])(
    'rejects a payload with %s as BroadcastDriverError before any connection sends',
    async (_what, payload, message) => {
      const first = new BroadcasterFake();
      const second = new BroadcasterFake();
      const manager = new BroadcastManager(defaultBroadcastConfig());
      manager.extend('first', () => first).extend('second', () => second);
      const error = await manager
        .send({
          channels: 'c',
          event: 'e',
          payload: payload as never,
          connection: ['first', 'second'],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BroadcastDriverError);
      expect((error as Error).message).toContain(message);
      first.assertNothingBroadcasted();
      second.assertNothingBroadcasted();
    },
  );

  it('rejects an empty or too long event name and a malformed exceptSocketId', async () => {
    const { manager } = managerWith();
    await expect(manager.send({ channels: 'c', event: '' })).rejects.toThrow(
      'Event names must be 1 to 200 characters',
    );
    await expect(manager.send({ channels: 'c', event: 'e'.repeat(201) })).rejects.toThrow(
      BroadcastDriverError,
    );
    await expect(
      manager.send({ channels: 'c', event: 'e', exceptSocketId: 'abc' }),
    ).rejects.toThrow('is not a socket id');
  });

  it('rejects when the driver fails', async () => {
    const manager = new BroadcastManager({ ...defaultBroadcastConfig(), default: 'down' });
    manager.extend('down', () => ({
      broadcast: () => Promise.reject(new BroadcastDriverError('nope')),
    }));
    await expect(manager.send({ channels: 'c', event: 'e' })).rejects.toThrow('nope');
  });
});

describe('connections and drivers', () => {
  it('builds each connection lazily, once', () => {
    const factory = vi.fn(() => new BroadcasterFake());
    const manager = new BroadcastManager(defaultBroadcastConfig());
    manager.extend('custom', factory);
    expect(factory).not.toHaveBeenCalled();
    const first = manager.connection('custom');
    expect(manager.driver('custom')).toBe(first);
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('the default connection is the null driver, which discards', async () => {
    const manager = new BroadcastManager(defaultBroadcastConfig());
    expect(manager.connection()).toBeInstanceOf(NullBroadcaster);
    await expect(manager.send({ channels: 'c', event: 'e' })).resolves.toBeUndefined();
  });

  it('named connections pick their driver and options; the factory sees them', async () => {
    const factory = vi.fn((_options: object) => new BroadcasterFake());
    const manager = new BroadcastManager({
      ...defaultBroadcastConfig(),
      connections: { analytics: { driver: 'custom', topic: 't1' }, devlog: { driver: 'log' } },
    });
    manager.extend('custom', factory);
    manager.connection('analytics');
    expect(factory.mock.calls[0][0]).toEqual({ driver: 'custom', topic: 't1', name: 'analytics' });
    expect(manager.connection('devlog')).toBeInstanceOf(LogBroadcaster);
  });

  it('an unknown connection is a BroadcastDriverError listing the known ones', () => {
    const manager = new BroadcastManager({
      ...defaultBroadcastConfig(),
      connections: { mine: { driver: 'log' } },
    });
    expect(() => manager.connection('kafka')).toThrow(BroadcastDriverError);
    expect(() => manager.connection('kafka')).toThrow(
      'Unknown broadcast connection "kafka". Known: mine, null, log, local, redis, pusher, redis-pubsub.',
    );
  });

  it('driver aliases come from the one alias table (redis-pubsub builds a redis driver)', async () => {
    const drivers = builtinDrivers({});
    expect(Object.keys(DRIVER_ALIASES)).toContain('redis-pubsub');
    for (const [alias, target] of Object.entries(DRIVER_ALIASES))
      expect(drivers[alias]).toBe(drivers[target]);
    const manager = new BroadcastManager({
      ...defaultBroadcastConfig(),
      connections: { legacy: { driver: 'redis-pubsub', url: 'redis://127.0.0.1:1' } },
    });
    const broadcaster = manager.connection('legacy');
    expect(broadcaster).toBeInstanceOf(RedisBroadcaster);
    await broadcaster.close?.();
  });

  it('a connection naming an unregistered driver says which', () => {
    const manager = new BroadcastManager({
      ...defaultBroadcastConfig(),
      connections: { q: { driver: 'sqs' } },
    });
    expect(() => manager.connection('q')).toThrow(
      'Unknown broadcast driver "sqs" (of connection "q")',
    );
  });

  it('an unknown connection among several sends to none of them', async () => {
    const { manager, fake } = managerWith();
    await expect(
      manager.send({ channels: 'c', event: 'e', connection: ['recorder', 'ghost'] }),
    ).rejects.toThrow('Unknown broadcast connection "ghost"');
    fake.assertNothingBroadcasted();
  });

  it('drivers given as module options are registered like extend()', async () => {
    const fake = new BroadcasterFake();
    const manager = new BroadcastManager(
      { ...defaultBroadcastConfig(), default: 'mine' },
      { drivers: { mine: () => fake } },
    );
    await manager.send({ channels: 'c', event: 'e' });
    fake.assertBroadcasted('e');
  });

  it('closes the connections it built on shutdown', async () => {
    const close = vi.fn(async () => undefined);
    const manager = new BroadcastManager(defaultBroadcastConfig());
    manager.extend(
      'closable',
      () => ({ broadcast: async () => undefined, close }) satisfies Broadcaster,
    );
    manager.connection('closable');
    await manager.onApplicationShutdown();
    expect(close).toHaveBeenCalledTimes(1);
  });
});

describe('BroadcastManager.event', () => {
  it("uses the event's broadcastOn / broadcastAs / broadcastWith", async () => {
    const { manager, fake } = managerWith();
    await manager.event(new OrderShipped(1));
    expect(fake.calls).toEqual([
      {
        channels: ['private-orders.1'],
        event: 'order.shipped',
        payload: { order_id: 1 },
        exceptSocketId: undefined,
      },
    ]);
  });

  it('defaults the name to the class name and the payload to own enumerable fields', async () => {
    const { manager, fake } = managerWith();
    const event = new InvoicePaid(5, 99);
    Object.defineProperty(event, 'hidden', { value: 1, enumerable: false });
    await manager.event(event);
    expect(fake.calls[0]).toMatchObject({
      event: 'InvoicePaid',
      payload: { invoiceId: 5, amount: 99 },
    });
  });

  it('honours broadcastWhen and broadcastConnection, and @Broadcastable({ as, connection })', async () => {
    const a = new BroadcasterFake();
    const b = new BroadcasterFake();
    const manager = new BroadcastManager(defaultBroadcastConfig());
    manager.extend('a', () => a).extend('b', () => b);

    @Broadcastable({ as: 'stock.changed', connection: 'a' })
    class StockChanged {
      constructor(readonly sku: string) {}
      broadcastOn() {
        return new Channel('stock');
      }
    }
    await manager.event(new StockChanged('x'));
    expect(a.calls[0]).toMatchObject({
      event: 'stock.changed',
      channels: ['stock'],
      payload: { sku: 'x' },
    });

    const both = Object.assign(new StockChanged('y'), { broadcastConnection: () => ['a', 'b'] });
    await manager.event(both);
    expect(b.calls).toHaveLength(1);
    expect(a.calls).toHaveLength(2);

    const never = Object.assign(new StockChanged('z'), { broadcastWhen: () => false });
    await manager.event(never);
    expect(a.calls).toHaveLength(2);
  });

  it('a @Broadcastable class without broadcastOn() says what is missing', async () => {
    @Broadcastable()
    class Incomplete {}
    const { manager } = managerWith();
    const error = await manager.event(new Incomplete() as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastException);
    expect((error as Error).message).toBe(
      'Incomplete cannot be broadcast: it has no broadcastOn() method. Implement ShouldBroadcast and return the channels it is broadcast on.',
    );
  });
});

describe('log and local drivers', () => {
  it('log: channels, event and payload keys, not values', async () => {
    const log = vi.fn();
    await new LogBroadcaster(false, { log }).broadcast(
      ['a', 'b'],
      'user.updated',
      { email: 'x@y.z', id: 1 },
      { exceptSocketId: '1.1' },
    );
    expect(log).toHaveBeenCalledWith(
      'Broadcasting "user.updated" on [a, b] with payload keys [email, id] except socket 1.1',
    );
    expect(String(log.mock.calls[0][0])).not.toContain('x@y.z');
  });

  it('log: the whole payload with logPayload', async () => {
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const manager = new BroadcastManager(
      { ...defaultBroadcastConfig(), default: 'log' },
      { logPayload: true },
    );
    await manager.send({ channels: 'a', event: 'e', payload: { id: 1 } });
    expect(log).toHaveBeenCalledWith('Broadcasting "e" on [a] with payload {"id":1}');
  });

  it('local: publishes a HubMessage on the default hub', async () => {
    const received: HubMessage[] = [];
    const off = defaultLocalHub.subscribe((message) => received.push(message));
    const manager = new BroadcastManager({ ...defaultBroadcastConfig(), default: 'local' });
    await manager.send({
      channels: ['private-a', 'b'],
      event: 'e',
      payload: { n: 1 },
      exceptSocketId: '2.3',
    });
    off();
    expect(received).toEqual([
      {
        channels: ['private-a', 'b'],
        event: 'e',
        data: { n: 1 },
        json: '{"n":1}', // the manager's serialization, so the server need not redo it
        socket: '2.3',
      },
    ]);
  });

  it('local: publishes on the hub given in the connection options', async () => {
    const hub = new LocalBroadcastHub();
    const received: HubMessage[] = [];
    hub.subscribe((message) => received.push(message));
    const manager = new BroadcastManager({
      ...defaultBroadcastConfig(),
      default: 'embedded',
      connections: { embedded: { driver: 'local', hub } },
    });
    await manager.send({ channels: 'c', event: 'e' });
    expect(received).toEqual([{ channels: ['c'], event: 'e', data: {}, json: '{}', socket: null }]);
  });
});

describe('broadcastDispatched (the auto-broadcast path)', () => {
  it('survives an onError hook that throws, logging both', async () => {
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const manager = new BroadcastManager(
      { ...defaultBroadcastConfig(), default: 'down' },
      {
        onError: () => {
          throw new Error('hook broke');
        },
      },
    );
    manager.extend('down', () => ({ broadcast: () => Promise.reject(new Error('driver down')) }));
    await expect(
      manager.broadcastDispatched(new OrderShipped(1), undefined),
    ).resolves.toBeUndefined();
    expect(errors.mock.calls.map(([message]) => String(message))).toEqual([
      'Broadcast of "order.shipped" on [private-orders.1] via connection "down" failed: driver down',
      'onError threw while handling a failed broadcast: hook broke',
    ]);
  });

  it('a failure on one connection does not stop the others', async () => {
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const onError = vi.fn();
    const ok = new BroadcasterFake();
    const manager = new BroadcastManager(defaultBroadcastConfig(), { onError });
    manager
      .extend('ok', () => ok)
      .extend('down', () => ({ broadcast: () => Promise.reject(new Error('x')) }));
    const event = Object.assign(new OrderShipped(2), { broadcastConnection: () => ['down', 'ok'] });
    await manager.broadcastDispatched(event, undefined);
    ok.assertBroadcastedTimes('order.shipped', 1);
    expect(onError.mock.calls[0][1]).toEqual({
      event: 'order.shipped',
      channels: ['private-orders.2'],
      connection: 'down',
    });
  });
});
