import { describe, expect, it } from 'vitest';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import { CONFIG_FILE_SCHEMA, SERVER_SCHEMA } from './config-file-schema.js';
import { parseConfigObject, type ConfigOrigin } from './config-schema.js';

const FILE: ConfigOrigin = { source: 'file', where: 'config file /srv/broadcasting.json' };
const OPTION: ConfigOrigin = { source: 'option', where: 'the server options' };

function errorOf(attempt: () => unknown): BroadcastConfigError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof BroadcastConfigError) return error;
    throw error;
  }
  throw new Error('expected a BroadcastConfigError');
}

describe('parseConfigObject against the config file schema', () => {
  it('accepts the whole server section and parses keyed values as the env would', () => {
    const parsed = parseConfigObject(
      {
        server: {
          port: '6002',
          apps: [{ id: 'a', key: 'k', secret: 's', limits: { maxChannelsPerConnection: 5 } }],
          log: { level: 'DEBUG', format: 'json' },
          metrics: { port: 9601, path: '/m' },
          tls: { cert: '/c.pem', key: '/k.pem' },
          shutdownGraceSeconds: 30,
          redis: true,
        },
      },
      CONFIG_FILE_SCHEMA,
      '',
      FILE,
    );
    expect(parsed.server).toEqual({
      port: 6002,
      apps: [{ id: 'a', key: 'k', secret: 's', limits: { maxChannelsPerConnection: 5 } }],
      log: { level: 'debug', format: 'json' },
      metrics: { port: 9601, path: '/m' },
      tls: { cert: '/c.pem', key: '/k.pem' },
      shutdownGraceSeconds: 30,
      redis: true,
    });
  });

  it('names an unknown key by its full path and the file, with the key it most likely meant', () => {
    const error = errorOf(() =>
      parseConfigObject(
        { server: { apps: [{ id: 'a', key: 'k', secret: 's' }, { allowedOrigin: ['x'] }] } },
        CONFIG_FILE_SCHEMA,
        '',
        FILE,
      ),
    );
    expect(error.message).toBe(
      'Unknown broadcasting config key server.apps[1].allowedOrigin (in config file /srv/broadcasting.json). ' +
        'Did you mean "allowedOrigins"? Keys allowed there: id, key, secret, enabled, maxConnections, ' +
        'enableClientMessages, allowedOrigins, limits, redis, webhooks, subscriptionCountEvents.',
    );
    expect(error).toMatchObject({ key: 'server.apps[1].allowedOrigin', source: 'file' });
  });

  it('suggests across case and small typos, and nothing for a word far from every key', () => {
    const message = (server: object) =>
      errorOf(() => parseConfigObject({ server }, CONFIG_FILE_SCHEMA, '', FILE)).message;
    expect(message({ ActivityTimeout: 1 })).toContain('Did you mean "activityTimeout"?');
    expect(message({ pongTimout: 1 })).toContain('Did you mean "pongTimeout"?');
    expect(message({ webhooks: [] })).not.toContain('Did you mean');
  });

  it('names a wrong type with the path, the value and the file, but never a secret', () => {
    const limits = errorOf(() =>
      parseConfigObject({ server: { activityTimeout: 0 } }, CONFIG_FILE_SCHEMA, '', FILE),
    );
    expect(limits.message).toBe(
      'Invalid broadcasting config server.activityTimeout = "0" ' +
        '(from config file /srv/broadcasting.json "server.activityTimeout"): must be a whole number of at least 1.',
    );
    const secret = errorOf(() =>
      parseConfigObject(
        { server: { apps: [{ id: 'a', key: 'k', secret: ['hunter2'] }] } },
        CONFIG_FILE_SCHEMA,
        '',
        FILE,
      ),
    );
    expect(secret.message).toContain('server.apps[0].secret = "****"');
    expect(secret.message).not.toContain('hunter2');
    const url = errorOf(() =>
      parseConfigObject(
        { server: { redis: { url: 'http://u:hunter2@h' } } },
        CONFIG_FILE_SCHEMA,
        '',
        FILE,
      ),
    );
    expect(url.message).not.toContain('hunter2');
  });

  it('refuses in a file what only code can give, saying where to give it', () => {
    expect(
      errorOf(() => parseConfigObject({ auth: { guards: [] } }, CONFIG_FILE_SCHEMA, '', FILE))
        .message,
    ).toBe(
      'Broadcasting config key auth cannot be set in config file /srv/broadcasting.json: ' +
        'auth holds guards and callbacks; pass it to BroadcastModule.forRoot() / forRootAsync() in your code.',
    );
    expect(() =>
      parseConfigObject({ server: { localHub: {} } }, CONFIG_FILE_SCHEMA, '', FILE),
    ).toThrow(/server\.localHub cannot be set in config file/);
  });

  it('checks code options against the same table, where code-only keys are fine', () => {
    const hub = { publish() {} };
    expect(parseConfigObject({ localHub: hub, port: 0 }, SERVER_SCHEMA, '', OPTION)).toEqual({
      localHub: hub,
      port: 0,
    });
    expect(() => parseConfigObject({ prot: 1 }, SERVER_SCHEMA, '', OPTION)).toThrow(
      'Unknown broadcasting config key prot (in the server options). Did you mean "port"?',
    );
  });

  it('accepts the booleans a section allows instead of an object, and only those', () => {
    expect(parseConfigObject({ metrics: false, redis: true }, SERVER_SCHEMA, '', OPTION)).toEqual({
      metrics: false,
      redis: true,
    });
    expect(() => parseConfigObject({ metrics: true }, SERVER_SCHEMA, '', OPTION)).toThrow(
      'metrics = "true" (from the server options "metrics"): must be an object or false.',
    );
  });
});
