import { describe, expect, it } from 'vitest';
import { maskRedisUrl } from './redis-url.js';

describe('maskRedisUrl', () => {
  it('masks the password and keeps user, host, port and db', () => {
    expect(maskRedisUrl('redis://user:hunter2@cache.internal:6380/2')).toBe(
      'redis://user:****@cache.internal:6380/2',
    );
    expect(maskRedisUrl('rediss://:hunter2@127.0.0.1:6379')).toBe('rediss://:****@127.0.0.1:6379');
  });

  it('masks all of a password that contains "@"', () => {
    const shown = maskRedisUrl('redis://:p@ss@host:6379');
    expect(shown).toBe('redis://:****@host:6379');
    expect(shown).not.toContain('p@');
    expect(shown).not.toContain('ss');
    expect(maskRedisUrl('redis://admin:a@b@c@host')).toBe('redis://admin:****@host');
  });

  it('masks password query parameters', () => {
    const shown = maskRedisUrl('redis://host:6379/0?password=hunter2&family=6');
    expect(shown).toBe('redis://host:6379/0?password=****&family=6');
    expect(maskRedisUrl('redis://host?pass=hunter2')).not.toContain('hunter2');
    expect(maskRedisUrl('redis://u:x@host?sentinelPassword=hunter2')).not.toContain('hunter2');
  });

  it('leaves a URL without credentials as it is', () => {
    expect(maskRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskRedisUrl('redis://default@host:6379')).toBe('redis://default@host:6379');
  });

  it('masks everything when the URL does not parse or the password spilt out of it', () => {
    expect(maskRedisUrl('not a url hunter2')).toBe('****');
    expect(maskRedisUrl('redis://user:hunter2@[bad-host')).toBe('****');
    // "/", "?" or "#" in a password end the authority: the rest lands in path, query or hash.
    expect(maskRedisUrl('redis://u:12/hunter2@host')).toBe('****');
    expect(maskRedisUrl('redis://u:12?hunter2@host')).toBe('****');
    expect(maskRedisUrl('redis://u:12#hunter2@host')).toBe('****');
  });

  it('drops a fragment', () => {
    expect(maskRedisUrl('redis://:pw@host/0#hunter2')).toBe('redis://:****@host/0');
  });
});
