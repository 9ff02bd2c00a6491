import { describe, expect, it } from 'vitest';
import { parseLaravelRedisMessage } from './laravel-redis-message.js';

describe("parseLaravelRedisMessage (Laravel's Redis broadcast body)", () => {
  it('serializes data once and keeps a valid socket id', () => {
    expect(
      parseLaravelRedisMessage(
        'private-orders.1',
        '{"event":"App\\\\Events\\\\OrderShipped","data":{"id":1},"socket":"123.456"}',
      ),
    ).toEqual({
      channel: 'private-orders.1',
      event: 'App\\Events\\OrderShipped',
      data: '{"id":1}',
      socket: '123.456',
    });
  });

  it("accepts PHP's empty array as data and a null or junk socket as no exclusion", () => {
    expect(parseLaravelRedisMessage('c', '{"event":"e","data":[],"socket":null}')).toMatchObject({
      data: '[]',
      socket: null,
    });
    expect(parseLaravelRedisMessage('c', '{"event":"e","data":{},"socket":"junk"}')).toMatchObject({
      socket: null,
    });
  });

  it('names the problem of a malformed message', () => {
    expect(parseLaravelRedisMessage('c', '{oops')).toBe('not JSON');
    expect(parseLaravelRedisMessage('c', '"text"')).toBe('not a JSON object');
    expect(parseLaravelRedisMessage('c', 'null')).toBe('not a JSON object');
    expect(parseLaravelRedisMessage('c', '{"data":{}}')).toBe('missing or invalid "event"');
    expect(parseLaravelRedisMessage('c', `{"event":"${'x'.repeat(201)}","data":{}}`)).toBe(
      'missing or invalid "event"',
    );
    expect(parseLaravelRedisMessage('c', '{"event":"e"}')).toBe('missing "data"');
    expect(parseLaravelRedisMessage('bad name', '{"event":"e","data":{}}')).toBe(
      'invalid channel name',
    );
  });
});
