import { describe, expect, it } from 'vitest';
import { parseServeArguments, SERVE_USAGE, ServeUsageError } from './serve-command.js';

describe('parseServeArguments (nestjs-broadcasting serve)', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    expect(
      parseServeArguments([
        'serve',
        '--host',
        '0.0.0.0',
        '--port=6002',
        '--redis-url',
        'redis://r:6379',
        '--redis-prefix=app:',
        '--scaling',
        'redis',
        '--config',
        'conf/b.mjs',
      ]),
    ).toEqual({
      host: '0.0.0.0',
      port: 6002,
      redis: true,
      redisUrl: 'redis://r:6379',
      redisPrefix: 'app:',
      scaling: 'redis',
      config: 'conf/b.mjs',
    });
  });

  it('leaves unset flags to the cascade', () => {
    expect(parseServeArguments(['serve'])).toEqual({});
    expect(parseServeArguments(['serve', '--no-redis'])).toEqual({ redis: false });
    expect(parseServeArguments(['--help'])).toEqual({ help: true });
  });

  it('refuses unknown commands, unknown flags, missing values and bad ports', () => {
    for (const argv of [
      [],
      ['start'],
      ['serve', '--verbose'],
      ['serve', '--port'],
      ['serve', '--host', '--port', '1'],
      ['serve', '--port', '70000'],
      ['serve', '--port', '-1'],
      ['serve', '--scaling', 'memcached'],
      ['serve', '--scaling'],
    ])
      expect(() => parseServeArguments(argv), argv.join(' ')).toThrow(ServeUsageError);
  });

  it('mentions BROADCASTING_SERVER_SCALING and --scaling in --help', () => {
    expect(SERVE_USAGE).toContain('BROADCASTING_SERVER_SCALING');
    expect(SERVE_USAGE).toContain('--scaling redis');
  });
});
