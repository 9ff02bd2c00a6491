import { describe, expect, it } from 'vitest';
import { defineChannel, typed } from 'nestjs-broadcasting/contract';
import {
  OrderChannel,
  OrderShipped,
  Room,
  Shipments,
  Typing,
  Vault,
} from './fixtures/shop.contracts.js';

describe('defineChannel', () => {
  it('builds full names with the prefix of each kind', () => {
    expect(OrderChannel.name({ orderId: 7 })).toBe('private-orders.7');
    expect(Room.name({ roomId: 'lobby' })).toBe('presence-rooms.lobby');
    expect(Vault.name({ userId: 'u1' })).toBe('private-encrypted-vault.u1');
    expect(Shipments.name()).toBe('shipments');
  });

  it('builds the bare name Echo takes', () => {
    expect(OrderChannel.bareName({ orderId: '12' })).toBe('orders.12');
    expect(Room.bareName({ roomId: 3 })).toBe('rooms.3');
  });

  it('keeps event and whisper names and their channel', () => {
    expect(OrderShipped.name).toBe('order.shipped');
    expect(OrderShipped.channel).toBe(OrderChannel);
    expect(OrderShipped.contract).toBe('event');
    expect(Typing.contract).toBe('whisper');
    expect(Typing.channel).toBe(Room);
  });

  it('takes the payload as a plain type parameter, with nothing to validate at run time', () => {
    const Refunded = OrderChannel.event<{ amount: number }>('order.refunded');
    expect(Refunded).toMatchObject({
      contract: 'event',
      name: 'order.refunded',
      channel: OrderChannel,
    });
    expect(Refunded.payload).toEqual({ '~typed': true });
    expect(Room.whisper<{ x: number }>('poke').payload).toEqual({ '~typed': true });
  });

  it('says which parameter is missing', () => {
    expect(() => OrderChannel.name({} as never)).toThrow(
      'Channel "orders.{orderId}" needs the parameter "orderId" (got no parameters).',
    );
    expect(() => OrderChannel.name(undefined as never)).toThrow(
      'Channel "orders.{orderId}" needs the parameter "orderId" (got undefined).',
    );
  });

  it('refuses a parameter value that would change the channel name', () => {
    expect(() => OrderChannel.name({ orderId: '7.8' })).toThrow(
      'Channel "orders.{orderId}": the parameter "orderId" must be a non-empty string or a number without dots (got "7.8").',
    );
    expect(() => OrderChannel.name({ orderId: '' })).toThrow(
      'the parameter "orderId" must be a non-empty string or a number without dots (got "").',
    );
  });

  it('refuses a pattern with a prefix, naming the pattern to write', () => {
    expect(() => defineChannel('private', 'private-orders.{id}')).toThrow(
      'defineChannel(): leave the "private-" prefix out of "private-orders.{id}"; the kind adds it (write "orders.{id}").',
    );
  });

  it('refuses an unknown kind', () => {
    expect(() => defineChannel('secret' as never, 'orders')).toThrow(
      'defineChannel(): the kind must be public, private, presence or encrypted (got "secret").',
    );
  });

  it('refuses a malformed pattern with the reason @ChannelAuth would give', () => {
    expect(() => defineChannel('private', 'orders.{order-id}')).toThrow(
      /^defineChannel\(\): "orders\.\{order-id\}" is not a channel pattern: /,
    );
  });

  it('refuses a client- event name and points at whisper()', () => {
    expect(() => OrderChannel.event('client-typing', typed<object>())).toThrow(
      'event(): "client-typing" starts with "client-", which marks whispers; use channel.whisper("typing", ...) instead.',
    );
  });

  it('refuses a whisper on a public channel', () => {
    expect(() => Shipments.whisper('hello', typed<object>())).toThrow(
      'whisper(): "shipments" is a public channel, and the Pusher protocol allows whispers on private and presence channels only.',
    );
  });

  it('refuses a payload that is neither a schema nor typed<T>()', () => {
    expect(() => OrderChannel.event('order.x', { tracking: 'string' } as never)).toThrow(
      'event("order.x"): pass a Standard Schema (zod, valibot, arktype) or typed<T>() as the payload.',
    );
  });

  it('refuses an empty event name', () => {
    expect(() => OrderChannel.event('', typed<object>())).toThrow(
      'event(): the event name must be a non-empty string of at most 200 characters (got "").',
    );
  });
});
