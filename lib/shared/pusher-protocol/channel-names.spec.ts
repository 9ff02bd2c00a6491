import { describe, expect, it } from 'vitest';
import {
  channelKind,
  channelNameProblem,
  eventNameProblem,
  isCacheChannel,
  isValidChannelName,
  isValidEventName,
  MAX_CHANNEL_NAME_LENGTH,
  MAX_EVENT_NAME_LENGTH,
} from './channel-names.js';

describe('eventNameProblem', () => {
  it('accepts 1 to MAX_EVENT_NAME_LENGTH characters', () => {
    expect(MAX_EVENT_NAME_LENGTH).toBe(200);
    expect(eventNameProblem('a')).toBeUndefined();
    expect(eventNameProblem('x'.repeat(200))).toBeUndefined();
    expect(isValidEventName('App\\Events\\OrderShipped')).toBe(true);
  });

  it('names the problem of an empty, missing or too long name', () => {
    expect(eventNameProblem('')).toBe('empty');
    expect(eventNameProblem(undefined)).toBe('empty');
    expect(eventNameProblem(42)).toBe('empty');
    expect(eventNameProblem('x'.repeat(201))).toBe('too long');
    expect(isValidEventName('x'.repeat(201))).toBe(false);
  });
});

const PREFIXES = ['', 'private-', 'private-encrypted-', 'presence-', '#server-to-user-'];

/** `prefix` followed by `x` up to `length` characters in all. */
const named = (prefix: string, length: number) => prefix + 'x'.repeat(length - prefix.length);

describe('channelNameProblem', () => {
  it.each(PREFIXES)('accepts a %s name of exactly 200 characters', (prefix) => {
    expect(MAX_CHANNEL_NAME_LENGTH).toBe(200);
    const name = named(prefix, 200);
    expect(name).toHaveLength(200);
    expect(channelNameProblem(name)).toBeUndefined();
    expect(isValidChannelName(name)).toBe(true);
  });

  it.each(PREFIXES)('refuses a %s name of 201 characters, saying so', (prefix) => {
    expect(channelNameProblem(named(prefix, 201))).toBe(
      'channel names are at most 200 characters (got 201)',
    );
    expect(isValidChannelName(named(prefix, 201))).toBe(false);
  });

  it('accepts every character of the Pusher alphabet', () => {
    expect(channelNameProblem('AZaz09_-=@,.;')).toBeUndefined();
  });

  it.each(['orders 1', 'orders/1', 'orders#1', 'ordérs', 'orders:1', '#private-x'])(
    'refuses %j, naming the allowed characters',
    (name) => {
      expect(channelNameProblem(name)).toBe(
        'channel names may contain only A-Z a-z 0-9 _ - = @ , . ;',
      );
    },
  );

  it('refuses an empty or non-string name', () => {
    for (const name of ['', undefined, 7, null])
      expect(channelNameProblem(name)).toBe('a channel name must be a non-empty string');
  });
});

describe('channelKind', () => {
  it.each([
    ['orders', 'public'],
    ['private-orders', 'private'],
    ['private-encrypted-orders', 'encrypted'],
    ['presence-orders', 'presence'],
    ['#server-to-user-7', 'server-to-user'],
    ['privateorders', 'public'],
    ['cache-orders', 'public'],
  ])('classifies %s as %s', (name, kind) => {
    expect(channelKind(name)).toBe(kind);
  });

  it('recognizes a cache channel behind every prefix', () => {
    for (const prefix of ['', 'private-', 'private-encrypted-', 'presence-'])
      expect(isCacheChannel(`${prefix}cache-orders`)).toBe(true);
    expect(isCacheChannel('orders-cache-1')).toBe(false);
    expect(isCacheChannel('#server-to-user-cache-1')).toBe(false);
  });
});
