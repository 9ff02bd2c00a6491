import { describe, expect, it } from 'vitest';
import { parseServeArguments, SERVE_USAGE, ServeUsageError } from './serve-arguments.js';

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

  it('reads --redis-cluster as a seed list, which implies --redis', () => {
    expect(
      parseServeArguments(['serve', '--redis-cluster', '10.0.0.1:7000, 10.0.0.2:7000']),
    ).toEqual({ redis: true, redisCluster: ['10.0.0.1:7000', '10.0.0.2:7000'] });
    expect(parseServeArguments(['serve', '--redis-cluster=r:7000', '--no-redis'])).toEqual({
      redis: false,
      redisCluster: ['r:7000'],
    });
  });

  it('reads the operations flags: TLS, metrics, logs and the shutdown grace', () => {
    expect(
      parseServeArguments([
        'serve',
        '--tls-cert=cert.pem',
        '--tls-key',
        'key.pem',
        '--tls-ca',
        'ca.pem',
        '--metrics-port',
        '9601',
        '--log-level=DEBUG',
        '--log-format',
        'json',
        '--shutdown-grace',
        '30',
      ]),
    ).toEqual({
      tlsCert: 'cert.pem',
      tlsKey: 'key.pem',
      tlsCa: 'ca.pem',
      metricsPort: 9601,
      logLevel: 'debug',
      logFormat: 'json',
      shutdownGraceSeconds: 30,
    });
  });

  it('reads --workers as a count or "auto", refusing what is neither', () => {
    expect(parseServeArguments(['serve', '--workers', '4'])).toEqual({ workers: 4 });
    expect(parseServeArguments(['serve', '--workers=AUTO'])).toEqual({ workers: 'auto' });
    const problem = (value: string) => {
      try {
        parseServeArguments(['serve', `--workers=${value}`]);
      } catch (error) {
        expect(error).toBeInstanceOf(ServeUsageError);
        return (error as Error).message;
      }
      throw new Error('expected a usage error');
    };
    for (const value of ['0', '-1', '2.5', 'many', '257'])
      expect(problem(value)).toBe(
        `--workers takes a number from 1 to 256, or "auto" for one per core (got "${value}").`,
      );
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
      ['serve', 'now'],
      ['serve', '--log-level', 'verbose'],
      ['serve', '--log-format', 'xml'],
      ['serve', '--metrics-port', 'x'],
      ['serve', '--shutdown-grace', '-5'],
      ['serve', '--shutdown-grace', '99999'],
    ])
      expect(() => parseServeArguments(argv), argv.join(' ')).toThrow(ServeUsageError);
  });

  it('says what is wrong in its own words, naming the flag', () => {
    const problem = (argv: string[]) => {
      try {
        parseServeArguments(argv);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a usage error');
    };
    expect(problem(['serve', '--verbose'])).toBe('Unknown option "--verbose".');
    expect(problem(['serve', '--port'])).toBe('--port needs a value.');
    expect(problem(['serve', '--log-level', 'loud'])).toBe(
      '--log-level takes "error", "warn", "info", "debug" (got "loud").',
    );
    expect(problem(['serve', '--port', '70000'])).toBe(
      '--port must be a number from 0 to 65535 (got "70000").',
    );
  });

  it('mentions every flag and the variables of the operations keys in --help', () => {
    for (const text of [
      'BROADCASTING_SERVER_SCALING',
      '--scaling redis',
      '--workers <n|auto>',
      '_WORKERS',
      '--tls-cert',
      '--tls-key',
      '--tls-ca',
      '--metrics-port',
      '--log-level',
      '--log-format',
      '--shutdown-grace',
      'BROADCASTING_METRICS_PORT',
      'BROADCASTING_LOG_LEVEL',
      'BROADCASTING_SHUTDOWN_GRACE_SECONDS',
      '_TLS_CERT',
    ])
      expect(SERVE_USAGE).toContain(text);
  });
});
