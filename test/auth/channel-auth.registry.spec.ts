import { describe, expect, it } from 'vitest';
import { ChannelAuthRegistry } from '../../lib/auth/channel-auth.registry.js';
import { BroadcastException } from '../../lib/errors/broadcast.exception.js';

const allow = () => true;

function registryWith(...patterns: string[]): ChannelAuthRegistry {
  const registry = new ChannelAuthRegistry();
  patterns.forEach((pattern) => registry.register(pattern, allow, { source: `cb:${pattern}` }));
  return registry;
}

describe('ChannelAuthRegistry matching', () => {
  it('matches a pattern without prefix against private-, presence- and private-encrypted- names', () => {
    const registry = registryWith('orders.{orderId}');
    expect(registry.match('private-orders.7')?.params).toEqual({ orderId: '7' });
    expect(registry.match('presence-orders.7')?.params).toEqual({ orderId: '7' });
    expect(registry.match('private-encrypted-orders.7')?.params).toEqual({ orderId: '7' });
  });

  it('reports the kind of the matched channel', () => {
    const registry = registryWith('orders.{orderId}');
    expect(registry.match('private-orders.7')?.kind).toBe('private');
    expect(registry.match('presence-orders.7')?.kind).toBe('presence');
    expect(registry.match('private-encrypted-orders.7')?.kind).toBe('encrypted');
  });

  it('never matches public or server-to-user channels', () => {
    const registry = registryWith('orders.{orderId}');
    expect(registry.match('orders.7')).toBeUndefined();
    expect(registry.match('#server-to-user-orders.7')).toBeUndefined();
  });

  it('captures a parameter as one dot-free segment', () => {
    const registry = registryWith('orders.{orderId}');
    expect(registry.match('private-orders.7.items')).toBeUndefined();
    expect(registry.match('private-orders.')).toBeUndefined();
    expect(registry.match('private-orders.a-b_c=d@e,f;g')?.params).toEqual({
      orderId: 'a-b_c=d@e,f;g',
    });
  });

  it('captures several parameters by name', () => {
    const registry = registryWith('teams.{teamId}.projects.{projectId}');
    expect(registry.match('private-teams.3.projects.abc')?.params).toEqual({
      teamId: '3',
      projectId: 'abc',
    });
  });

  it('treats a literal dot as a dot, not as any character', () => {
    const registry = registryWith('orders.{orderId}');
    expect(registry.match('private-ordersX7')).toBeUndefined();
  });

  it('treats other regex characters of a pattern literally', () => {
    const registry = registryWith('a-b');
    expect(registry.match('private-a-b')).toBeDefined();
    expect(registry.match('private-ab')).toBeUndefined();
  });

  it('requires the whole name to match', () => {
    const registry = registryWith('orders.{orderId}');
    expect(registry.match('private-xorders.7')).toBeUndefined();
    expect(registry.match('private-orders.7x.y')).toBeUndefined();
    expect(registryWith('orders').match('private-orders.7')).toBeUndefined();
    expect(registryWith('orders').match('private-myorders')).toBeUndefined();
  });

  it('matches only after stripping exactly the channel prefix', () => {
    // 'private-encrypted-x' strips to 'x', never to 'encrypted-x'.
    expect(registryWith('encrypted-x').match('private-encrypted-x')).toBeUndefined();
    expect(registryWith('x').match('private-encrypted-x')).toBeDefined();
  });

  it('lets the first registered matching pattern win', () => {
    const registry = registryWith('orders.{orderId}', 'orders.{anything}', 'orders.7');
    const match = registry.match('private-orders.7');
    expect(match?.entry.pattern).toBe('orders.{orderId}');
    expect(match?.entry.source).toBe('cb:orders.{orderId}');
    expect(registryWith('orders.7', 'orders.{id}').match('private-orders.7')?.entry.pattern).toBe(
      'orders.7',
    );
  });

  it('skips an entry whose kinds exclude the channel kind', () => {
    const registry = new ChannelAuthRegistry()
      .register('room.{id}', allow, { kinds: ['presence'], source: 'presenceOnly' })
      .register('room.{id}', allow, { kinds: ['private'], source: 'privateOnly' });
    expect(registry.match('presence-room.1')?.entry.source).toBe('presenceOnly');
    expect(registry.match('private-room.1')?.entry.source).toBe('privateOnly');
    expect(registry.match('private-encrypted-room.1')).toBeUndefined();
  });
});

describe('ChannelAuthRegistry registration', () => {
  it('rejects the same pattern twice, naming both callbacks', () => {
    const registry = registryWith('orders.{orderId}');
    expect(() => registry.register('orders.{orderId}', allow, { source: 'Second.method' })).toThrow(
      /'orders\.\{orderId\}'.*cb:orders\.\{orderId\}.*Second\.method/,
    );
  });

  it('rejects a pattern that carries a channel prefix, saying what to write instead', () => {
    const registry = new ChannelAuthRegistry();
    expect(() => registry.register('private-orders.{id}', allow)).toThrow(BroadcastException);
    expect(() => registry.register('presence-orders.{id}', allow)).toThrow(
      /omit the "presence-" prefix.*'orders\.\{id\}'/,
    );
  });

  it.each([
    ['', /non-empty/],
    ['orders.{order-id}', /not a parameter/],
    ['orders.{id}.{id}', /appears twice/],
    ['orders.{id', /unbalanced/],
    ['orders/{id}', /characters channel names cannot contain/],
  ])('rejects the malformed pattern %j', (pattern, problem) => {
    expect(() => new ChannelAuthRegistry().register(pattern, allow)).toThrow(problem);
  });

  it('lists patterns in matching order and can be cleared', () => {
    const registry = registryWith('a', 'b.{x}');
    expect(registry.patterns()).toEqual(['a', 'b.{x}']);
    registry.clear();
    expect(registry.match('private-a')).toBeUndefined();
  });
});
