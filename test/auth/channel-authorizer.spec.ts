import { Logger, type LoggerService } from '@nestjs/common';
import Pusher from 'pusher';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BroadcastAuthOptions } from '../../lib/auth/auth-options.interface.js';
import { BroadcastAuthSettings } from '../../lib/auth/broadcast-auth.settings.js';
import { ChannelAuthRegistry } from '../../lib/auth/channel-auth.registry.js';
import { ChannelAuthorizer } from '../../lib/auth/channel-authorizer.js';
import { resolveAuthOptions } from '../../lib/auth/resolved-auth-options.js';
import type { ResolvedBroadcastConfig } from '../../lib/config/resolved-config.interface.js';
import {
  BroadcastAuthError,
  BroadcastConfigError,
  BroadcastException,
} from '../../lib/errors/broadcast.exception.js';
import { APP_ID, KEY, MASTER_KEY, SECRET, SOCKET_ID, testConfig } from './fixtures/auth-config.js';

// The SDK's types say user_id is a string; pusher-js (and the SDK itself) take numbers too.
const sdk = new Pusher({
  appId: APP_ID,
  key: KEY,
  secret: SECRET,
  cluster: 'mt1',
  encryptionMasterKeyBase64: MASTER_KEY,
});
const presence = (user_id: string | number, user_info?: object) =>
  ({ user_id, user_info }) as { user_id: string };

function authorizer(
  register: (registry: ChannelAuthRegistry) => void = () => {},
  options: BroadcastAuthOptions = {},
  config: ResolvedBroadcastConfig = testConfig(),
): ChannelAuthorizer {
  const registry = new ChannelAuthRegistry();
  register(registry);
  return new ChannelAuthorizer(registry, BroadcastAuthSettings.of(config, options));
}

async function denial(promise: Promise<unknown> | (() => unknown)): Promise<BroadcastAuthError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(BroadcastAuthError);
    return error as BroadcastAuthError;
  }
  throw new Error('expected a denial');
}

describe('ChannelAuthorizer responses (byte-compatible with the pusher SDK)', () => {
  it('signs a private channel like the DESIGN.md vector and the SDK', async () => {
    const response = await authorizer((r) => r.register('foobar', () => true)).authorizeChannel({
      user: { id: 1 },
      socketId: SOCKET_ID,
      channelName: 'private-foobar',
    });
    expect(response).toEqual({
      auth: `${KEY}:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4`,
    });
    expect(JSON.stringify(response)).toBe(
      JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-foobar')),
    );
  });

  it('signs a presence channel with channel_data as a JSON string, like the vector and the SDK', async () => {
    const response = await authorizer((r) =>
      r.register('foobar', () => ({ name: 'Mr. Pusher' })),
    ).authorizeChannel({ user: { id: 10 }, socketId: SOCKET_ID, channelName: 'presence-foobar' });
    expect(response.channel_data).toBe('{"user_id":10,"user_info":{"name":"Mr. Pusher"}}');
    expect(response.auth).toBe(
      `${KEY}:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c`,
    );
    expect(JSON.stringify(response)).toBe(
      JSON.stringify(
        sdk.authorizeChannel(SOCKET_ID, 'presence-foobar', presence(10, { name: 'Mr. Pusher' })),
      ),
    );
  });

  it('omits user_info when a presence callback returns true', async () => {
    const response = await authorizer((r) => r.register('room', () => true)).authorizeChannel({
      user: { id: 'u-1' },
      socketId: SOCKET_ID,
      channelName: 'presence-room',
    });
    expect(response.channel_data).toBe('{"user_id":"u-1"}');
    expect(response).toEqual(sdk.authorizeChannel(SOCKET_ID, 'presence-room', { user_id: 'u-1' }));
  });

  it('takes the presence user_id from the presenceUserId option', async () => {
    const response = await authorizer((r) => r.register('room', () => ({ name: 'Ann' })), {
      presenceUserId: (user: { uuid: string }) => user.uuid,
    }).authorizeChannel({
      user: { uuid: 'abc' },
      socketId: SOCKET_ID,
      channelName: 'presence-room',
    });
    expect(JSON.parse(response.channel_data!)).toEqual({
      user_id: 'abc',
      user_info: { name: 'Ann' },
    });
    expect(response).toEqual(
      sdk.authorizeChannel(SOCKET_ID, 'presence-room', {
        user_id: 'abc',
        user_info: { name: 'Ann' },
      }),
    );
  });

  it('adds the shared_secret the SDK derives for an encrypted private channel', async () => {
    const response = await authorizer((r) => r.register('vault.{id}', () => true)).authorizeChannel(
      {
        user: { id: 1 },
        socketId: SOCKET_ID,
        channelName: 'private-encrypted-vault.9',
      },
    );
    const expected = sdk.authorizeChannel(SOCKET_ID, 'private-encrypted-vault.9');
    expect(expected.shared_secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(JSON.stringify(response)).toBe(JSON.stringify(expected));
  });

  it('signs user authentication like the vector and the SDK', () => {
    const response = authorizer(undefined, {
      resolveUserData: () => ({ id: '12345' }),
    }).authenticateUser({ user: { id: 1 }, socketId: SOCKET_ID });
    expect(response).toEqual({
      auth: `${KEY}:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba`,
      user_data: '{"id":"12345"}',
    });
    expect(JSON.stringify(response)).toBe(
      JSON.stringify(sdk.authenticateUser(SOCKET_ID, { id: '12345' })),
    );
  });

  it('builds user_data from user.id as a string by default', () => {
    const response = authorizer().authenticateUser({ user: { id: 42 }, socketId: SOCKET_ID });
    expect(response.user_data).toBe('{"id":"42"}');
    expect(response).toEqual(sdk.authenticateUser(SOCKET_ID, { id: '42' }));
  });

  it('keeps extra user_data fields from resolveUserData', () => {
    const data = { id: '7', user_info: { name: 'Ann' }, watchlist: ['8'] };
    const response = authorizer(undefined, { resolveUserData: () => data }).authenticateUser({
      user: {},
      socketId: SOCKET_ID,
    });
    expect(response).toEqual(sdk.authenticateUser(SOCKET_ID, data));
  });
});

describe('ChannelAuthorizer callbacks', () => {
  it('passes the user and the pattern params, and awaits an async callback', async () => {
    const calls: unknown[][] = [];
    const service = authorizer((r) =>
      r.register('teams.{teamId}.orders.{orderId}', async (user, params) => {
        calls.push([user, params]);
        await new Promise((resolve) => setImmediate(resolve));
        return params.orderId === '7';
      }),
    );
    const user = { id: 5 };
    await service.authorizeChannel({
      user,
      socketId: SOCKET_ID,
      channelName: 'private-teams.a.orders.7',
    });
    expect(calls).toEqual([[user, { teamId: 'a', orderId: '7' }]]);
    const denied = await denial(
      service.authorizeChannel({
        user,
        socketId: SOCKET_ID,
        channelName: 'private-teams.a.orders.8',
      }),
    );
    expect(denied.reason).toBe('callback_denied');
  });

  it("keeps the callback's class and method out of a denial's message, in its detail", async () => {
    const service = authorizer((r) =>
      r.register('orders.{id}', () => false, { source: 'OrderChannels.canWatchOrder' }),
    );
    const denied = await denial(
      service.authorizeChannel({
        user: { id: 1 },
        socketId: SOCKET_ID,
        channelName: 'private-orders.5',
      }),
    );
    expect(denied.message).toBe('Not allowed to join "private-orders.5".');
    expect(denied.detail).toBe(
      'OrderChannels.canWatchOrder refused "private-orders.5" (it returned a falsy value).',
    );
    const unmatched = await denial(
      service.authorizeChannel({ user: { id: 1 }, socketId: SOCKET_ID, channelName: 'private-x' }),
    );
    expect(unmatched.message).toBe('No channel authorization rule matches "private-x".');
    expect(unmatched.detail).toContain('(registered: orders.{id})');
  });

  it('allows any truthy result on a private channel', async () => {
    const response = await authorizer((r) =>
      r.register('x', () => ({ anything: 1 })),
    ).authorizeChannel({
      user: { id: 1 },
      socketId: SOCKET_ID,
      channelName: 'private-x',
    });
    expect(response).toEqual(sdk.authorizeChannel(SOCKET_ID, 'private-x'));
  });
});

describe('ChannelAuthorizer denials', () => {
  const service = authorizer((r) => {
    r.register('open.{id}', () => true);
    r.register('closed', () => false);
    r.register('nullish', () => null);
    r.register('broken', () => {
      throw new Error('database down');
    });
  });
  const user = { id: 1 };

  it('answers 400 missing_fields when socket_id or channel_name is missing', async () => {
    const both = await denial(
      service.authorizeChannel({ user, socketId: undefined, channelName: '' }),
    );
    expect([both.reason, both.status]).toEqual(['missing_fields', 400]);
    expect(both.message).toMatch(/socket_id and channel_name/);
    const one = await denial(
      service.authorizeChannel({ user, socketId: SOCKET_ID, channelName: null }),
    );
    expect(one.message).toMatch(/Missing channel_name/);
    const userAuth = await denial(() => service.authenticateUser({ user, socketId: '' }));
    expect([userAuth.reason, userAuth.status]).toEqual(['missing_fields', 400]);
  });

  it.each(['abc', '1234', '1.2.3', '1234.12a', ['1.1']])(
    'rejects socket id %j as invalid_socket_id',
    async (socketId) => {
      const error = await denial(
        service.authorizeChannel({ user, socketId, channelName: 'private-open.1' }),
      );
      expect([error.reason, error.status]).toEqual(['invalid_socket_id', 403]);
      const userAuth = await denial(() => service.authenticateUser({ user, socketId }));
      expect(userAuth.reason).toBe('invalid_socket_id');
    },
  );

  it.each([
    'private-open.1 x',
    'private-öpen',
    'private-' + 'a'.repeat(200),
    'open.1',
    '#server-to-user-1',
  ])('rejects channel %j as invalid_channel', async (channelName) => {
    const error = await denial(
      service.authorizeChannel({ user, socketId: SOCKET_ID, channelName }),
    );
    expect([error.reason, error.status]).toEqual(['invalid_channel', 403]);
  });

  it.each([null, undefined])('rejects a %s user as unauthenticated', async (nobody) => {
    const error = await denial(
      service.authorizeChannel({
        user: nobody,
        socketId: SOCKET_ID,
        channelName: 'private-open.1',
      }),
    );
    expect(error.reason).toBe('unauthenticated');
    const userAuth = await denial(() =>
      service.authenticateUser({ user: nobody, socketId: SOCKET_ID }),
    );
    expect(userAuth.reason).toBe('unauthenticated');
  });

  it('rejects a channel no pattern matches as no_matching_pattern', async () => {
    const error = await denial(
      service.authorizeChannel({ user, socketId: SOCKET_ID, channelName: 'private-other.1' }),
    );
    expect(error.reason).toBe('no_matching_pattern');
    expect(error.message).toContain('private-other.1');
  });

  it.each(['private-closed', 'private-nullish'])(
    'rejects %s (falsy callback) as callback_denied',
    async (channelName) => {
      const error = await denial(
        service.authorizeChannel({ user, socketId: SOCKET_ID, channelName }),
      );
      expect(error.reason).toBe('callback_denied');
    },
  );

  describe('a throwing callback', () => {
    const logged: string[] = [];
    const capture: LoggerService = {
      log: (m) => logged.push(String(m)),
      error: (m, trace) => logged.push(`${m} ${trace}`),
      warn: (m) => logged.push(String(m)),
    };
    beforeEach(() => Logger.overrideLogger(capture));
    afterEach(() => Logger.overrideLogger(new Logger()));

    it('is logged with its error and denied as callback_error', async () => {
      const error = await denial(
        service.authorizeChannel({ user, socketId: SOCKET_ID, channelName: 'private-broken' }),
      );
      expect(error.reason).toBe('callback_error');
      expect(error.message).not.toContain('database down');
      expect(logged.join('\n')).toMatch(/private-broken[\s\S]*database down/);
      expect(logged.join('\n')).not.toContain(SECRET);
    });
  });
});

describe('ChannelAuthorizer misconfiguration', () => {
  it('needs the app key and secret to sign, and says which setting to add', async () => {
    const service = authorizer(
      (r) => r.register('x', () => true),
      {},
      testConfig({ app: { key: KEY } }),
    );
    const error = await service
      .authorizeChannel({ user: { id: 1 }, socketId: SOCKET_ID, channelName: 'private-x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as BroadcastConfigError).key).toBe('app.secret');
    expect((error as Error).message).toMatch(/BROADCASTING_APP_SECRET/);
  });

  it('needs a master key for an encrypted channel, and says how to make one', async () => {
    const service = authorizer(
      (r) => r.register('x', () => true),
      {},
      testConfig({ encryptionMasterKey: undefined }),
    );
    const error = await service
      .authorizeChannel({
        user: { id: 1 },
        socketId: SOCKET_ID,
        channelName: 'private-encrypted-x',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as Error).message).toMatch(
      /BROADCASTING_ENCRYPTION_MASTER_KEY.*openssl rand -base64 32/,
    );
  });

  it.each([
    ['not base64!', /not valid base64/],
    [Buffer.alloc(16).toString('base64'), /decodes to 16 bytes; it must be 32/],
  ])('rejects the master key %j at boot without echoing it', (masterKey, problem) => {
    let error: unknown;
    try {
      resolveAuthOptions(
        testConfig({ encryptionMasterKey: masterKey, sources: { encryptionMasterKey: 'env' } }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toMatch(/from env/);
    expect((error as Error).message).not.toContain(masterKey);
  });

  it('refuses a presence user id that is not a string or number', async () => {
    const service = authorizer((r) => r.register('room', () => true));
    const error = await service
      .authorizeChannel({
        user: { name: 'no id' },
        socketId: SOCKET_ID,
        channelName: 'presence-room',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastException);
    expect(error).not.toBeInstanceOf(BroadcastAuthError);
    expect((error as Error).message).toMatch(/presenceUserId\(user\) returned undefined/);
  });

  it('refuses a presence callback result that is not an object or true', async () => {
    const service = authorizer((r) =>
      r.register('room', () => ['a'] as never, { source: 'Rooms.join' }),
    );
    const error = await service
      .authorizeChannel({ user: { id: 1 }, socketId: SOCKET_ID, channelName: 'presence-room' })
      .catch((e: unknown) => e);
    // The client may see the message (500 outside production): the channel, not the method.
    expect((error as Error).message).toBe(
      'Could not authorize "presence-room": the server\'s authorization returned no member ' +
        'info (see the server log).',
    );
  });

  it('refuses user data without a string id', () => {
    expect(() =>
      authorizer().authenticateUser({ user: { name: 'x' }, socketId: SOCKET_ID }),
    ).toThrow(/non-empty string "id"/);
    expect(() =>
      authorizer(undefined, { resolveUserData: () => ({ id: 5 }) as never }).authenticateUser({
        user: {},
        socketId: SOCKET_ID,
      }),
    ).toThrow(/non-empty string "id"/);
  });
});
