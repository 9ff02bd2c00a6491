import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastConfigError } from '../../../lib/errors/broadcast.exception.js';
import { resolveServerOptions } from '../../../lib/server/options/resolve-server-options.js';

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
      },
    });
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
