import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BroadcastDriverError } from '../../errors/broadcast.exception.js';
import { loadIoredis, pickRedisClass } from './load-ioredis.js';

class FakeRedis {}

describe('loadIoredis', () => {
  it('returns the installed Redis class', async () => {
    expect(await loadIoredis('a test')).toBe(Redis);
  });

  it('finds the class under every module shape ioredis or a bundler gives', () => {
    expect(pickRedisClass({ Redis: FakeRedis }, 'x')).toBe(FakeRedis);
    expect(pickRedisClass({ default: { Redis: FakeRedis } }, 'x')).toBe(FakeRedis);
    expect(pickRedisClass({ default: FakeRedis }, 'x')).toBe(FakeRedis);
  });

  it('says what to install when the module has no Redis class', () => {
    expect(() => pickRedisClass({ default: {} }, 'The redis broadcast driver')).toThrow(
      BroadcastDriverError,
    );
    expect(() => pickRedisClass({}, 'The redis broadcast driver')).toThrow(
      /needed by The redis broadcast driver\); install ioredis/,
    );
  });
});
