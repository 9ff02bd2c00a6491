import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastConfigError } from '../../../lib/errors/broadcast.exception.js';
import { resolveServerOptions } from '../../../lib/server/options/resolve-server-options.js';
import { applyConfigCascade } from '../../../lib/config/resolve-config.js';

/** The cascade as the server sees it with this config file (by path) and environment. */
const withFile = (server: object, env: Record<string, string> = {}) =>
  applyConfigCascade({}, { path: '/etc/broadcasting.json', values: { server } }, env);

const app = { id: '1', key: 'k', secret: 's3cr3t-value' };
const saved = { ...process.env };
const messageOf = (attempt: () => unknown): string => {
  try {
    attempt();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};
afterEach(() => {
  process.env = { ...saved };
});

describe('resolveServerOptions', () => {
  it('fills every default', () => {
    const resolved = resolveServerOptions({ apps: [app] });
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      port: 6001,
      activityTimeout: 30,
      pongTimeout: 30,
      maxPayloadBytes: 102400,
      maxBufferedBytes: 1048576,
      redis: false,
    });
    expect(resolved.apps[0]).toMatchObject({
      enabled: true,
      maxConnections: 0,
      enableClientMessages: true,
      allowedOrigins: ['*'],
      anyOrigin: true,
      limits: {
        maxEventBytes: 10240,
        maxChannelsPerEvent: 100,
        maxBatchSize: 10,
        clientEventsPerSecond: 10,
        maxPresenceMembers: 100,
        maxPresenceMemberBytes: 1024,
        maxChannelsPerConnection: 1000,
      },
    });
    expect(resolved).toMatchObject({
      log: { level: 'info', format: 'text' },
      shutdownGraceSeconds: 10,
    });
    expect(resolved.metrics).toBe(false);
    expect(resolved.tls).toBeUndefined();
  });

  it('keeps given limits and defaults the rest', () => {
    const resolved = resolveServerOptions({ apps: [{ ...app, limits: { maxBatchSize: 3 } }] });
    expect(resolved.apps[0].limits).toMatchObject({ maxBatchSize: 3, maxEventBytes: 10240 });
  });

  it('builds the default app from BROADCASTING_APP_* env keys', () => {
    process.env.BROADCASTING_APP_ID = 'env-id';
    process.env.BROADCASTING_APP_KEY = 'env-key';
    process.env.BROADCASTING_APP_SECRET = 'env-secret';
    process.env.BROADCASTING_SERVER_PORT = '7001';
    const resolved = resolveServerOptions();
    expect(resolved.apps[0]).toMatchObject({ id: 'env-id', key: 'env-key' });
    expect(resolved.port).toBe(7001);
  });

  it('refuses workers above 1 given in code, naming the bin that runs them', () => {
    expect(messageOf(() => resolveServerOptions({ apps: [app], workers: 2 }))).toBe(
      'The server option workers = 2: startBroadcastServer and BroadcastServerModule serve from ' +
        'the one process they run in. Run `nestjs-broadcasting serve --workers 2` (with scaling ' +
        'over Redis) for several processes on one port, or leave workers at 1.',
    );
    // The file's and the env's value is for the bin: a server started from code ignores it.
    expect(() => resolveServerOptions({ apps: [app] }, withFile({ workers: 4 }))).not.toThrow();
    expect(() => resolveServerOptions({ apps: [app], workers: 1 })).not.toThrow();
  });

  it('names the env key to set when no app is configured', () => {
    delete process.env.BROADCASTING_APP_ID;
    delete process.env.BROADCASTING_APP_KEY;
    delete process.env.BROADCASTING_APP_SECRET;
    expect(() => resolveServerOptions()).toThrow(/BROADCASTING_APP_ID/);
  });

  it('names every missing app credential in one message', () => {
    delete process.env.BROADCASTING_APP_ID;
    delete process.env.BROADCASTING_APP_KEY;
    delete process.env.BROADCASTING_APP_SECRET;
    expect(() => resolveServerOptions()).toThrow(
      'The broadcast server has no app id, key and secret: set BROADCASTING_APP_ID, ' +
        'BROADCASTING_APP_KEY and BROADCASTING_APP_SECRET or pass apps: [{ id, key, secret }] to the server options ' +
        '(or "server.apps" in the config file).',
    );
    process.env.BROADCASTING_APP_KEY = 'env-key';
    expect(() => resolveServerOptions()).toThrow(
      /has no app id and secret: set BROADCASTING_APP_ID and BROADCASTING_APP_SECRET or/,
    );
  });

  it('rejects an app without a secret, naming apps[i].secret', () => {
    const attempt = () => resolveServerOptions({ apps: [{ ...app, secret: '' }] });
    expect(attempt).toThrow(BroadcastConfigError);
    expect(attempt).toThrow(/apps\[0\]\.secret/);
  });

  it('rejects a secret that is not a string without showing it, though other values are shown', () => {
    const notAString = 73757301 as unknown as string;
    const secretError = messageOf(() =>
      resolveServerOptions({ apps: [{ ...app, secret: notAString }] }),
    );
    expect(secretError).toBe(
      'Invalid broadcasting config apps[0].secret = "****" ' +
        '(from the server options "apps[0].secret"): ' +
        'must be a non-empty string.',
    );
    // The same mistake in the key shows the value, so hiding the secret is deliberate.
    const keyError = messageOf(() => resolveServerOptions({ apps: [{ ...app, key: notAString }] }));
    expect(keyError).toContain('73757301');
  });

  it('rejects two apps with the same key', () => {
    expect(() =>
      resolveServerOptions({ apps: [app, { ...app, id: '2', secret: 'other' }] }),
    ).toThrow(/share the key "k"/);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() =>
      resolveServerOptions({ apps: [{ ...app, limits: { clientEventsPerSecond: 0 } }] }),
    ).toThrow(/clientEventsPerSecond/);
    expect(() => resolveServerOptions({ apps: [app], activityTimeout: 1.5 })).toThrow(
      /activityTimeout/,
    );
  });

  it('never puts a secret in an error message', () => {
    try {
      resolveServerOptions({ apps: [{ ...app, maxConnections: -1 }] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(app.secret);
      expect((error as Error).message).toMatch(/maxConnections/);
    }
  });
});

describe('resolveServerOptions: the config file and the environment', () => {
  it('takes every option from the file, under the options and over the env', () => {
    const config = withFile(
      {
        apps: [app, { id: '2', key: 'k2', secret: 's2', limits: { maxChannelsPerConnection: 5 } }],
        activityTimeout: 60,
        pongTimeout: 5,
        log: { level: 'warn' },
        shutdownGraceSeconds: 3,
      },
      { BROADCASTING_LOG_LEVEL: 'debug', BROADCASTING_LOG_FORMAT: 'json' },
    );
    const resolved = resolveServerOptions({ pongTimeout: 7 }, config);
    expect(resolved.apps.map((a) => a.id)).toEqual(['1', '2']);
    expect(resolved.apps[1].limits.maxChannelsPerConnection).toBe(5);
    expect(resolved).toMatchObject({
      activityTimeout: 60,
      pongTimeout: 7,
      log: { level: 'warn', format: 'json' },
      shutdownGraceSeconds: 3,
    });
  });

  it('names the file in errors about its apps', () => {
    expect(() => resolveServerOptions({}, withFile({ apps: [app, { ...app, id: '2' }] }))).toThrow(
      'Two server apps share the key "k" (in config file /etc/broadcasting.json): each app needs its own key.',
    );
  });

  it('gives the first app the Redis prefix by default, and refuses two apps on one prefix', () => {
    const two = [app, { id: '2', key: 'k2', secret: 's2', redis: { prefix: 'blog:' } }];
    const resolved = resolveServerOptions({ apps: two, redis: { prefix: 'shop:' } });
    expect(resolved.apps.map((a) => a.redisPrefix)).toEqual(['shop:', 'blog:']);
    expect(
      resolveServerOptions({ apps: [app, { ...two[1], redis: undefined }], redis: true }).apps[1]
        .redisPrefix,
    ).toBeUndefined();
    expect(() => resolveServerOptions({ apps: two, redis: { prefix: 'blog:' } })).toThrow(
      /apps\[0\] and apps\[1\] both listen on the Redis prefix "blog:"/,
    );
  });

  it('refuses an app Redis prefix while Redis delivery is off', () => {
    expect(() =>
      resolveServerOptions({ apps: [{ ...app, redis: { prefix: 'a:' } }], redis: false }),
    ).toThrow(/apps\[0\] sets redis.prefix \(in the server options\), but Redis delivery is off/);
  });

  it('turns metrics on with a port from the option, the file or BROADCASTING_METRICS_PORT', () => {
    expect(resolveServerOptions({ apps: [app], metrics: { port: 9100 } }).metrics).toEqual({
      port: 9100,
      host: '127.0.0.1',
      path: '/metrics',
      prefix: 'broadcasting_',
      defaultMetrics: true,
    });
    const fromFile = resolveServerOptions(
      { apps: [app] },
      withFile({ metrics: { port: 9200, prefix: 'ws_' } }),
    );
    expect(fromFile.metrics).toMatchObject({ port: 9200, prefix: 'ws_' });
    const fromEnv = withFile({}, { BROADCASTING_METRICS_PORT: '9300' });
    expect(resolveServerOptions({ apps: [app] }, fromEnv).metrics).toMatchObject({ port: 9300 });
    expect(resolveServerOptions({ apps: [app], metrics: false }, fromEnv).metrics).toBe(false);
    expect(
      resolveServerOptions(
        { apps: [app] },
        withFile({ metrics: false }, { BROADCASTING_METRICS_PORT: '9300' }),
      ).metrics,
    ).toBe(false);
  });

  it('refuses metrics on the public port, or without a port', () => {
    expect(() =>
      resolveServerOptions({ apps: [app], port: 6001, metrics: { port: 6001 } }),
    ).toThrow(/metrics.port 6001 is the broadcast server's own port/);
    expect(() =>
      resolveServerOptions({ apps: [app] }, withFile({ metrics: { path: '/m' } })),
    ).toThrow(/Metrics need a port of their own: set metrics.port \(from config file/);
  });

  it('refuses an unknown option key, as the file does', () => {
    expect(() => resolveServerOptions({ apps: [{ ...app, maxChanels: 3 } as never] })).toThrow(
      'Unknown broadcasting config key apps[0].maxChanels (in the server options).',
    );
  });
});
