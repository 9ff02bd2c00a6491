import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelAuthRegistry } from '../../lib/auth/channel-auth.registry.js';
import { ChannelAuthorizer } from '../../lib/auth/channel-authorizer.js';
import { BroadcastAuthError, BroadcastConfigError } from '../../lib/errors/broadcast.exception.js';
import { MASTER_KEY, SECRET, SOCKET_ID } from './fixtures/auth-config.js';
import { createAuthApp, type AuthApp } from './fixtures/auth-test-app.js';
import {
  CHANNEL_PROVIDERS,
  DuplicateOrderChannels,
  OrdersService,
  RequestScopedChannels,
  RoomsController,
} from './fixtures/channels.fixture.js';

let running: AuthApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function boot(options: Parameters<typeof createAuthApp>[0] = {}): Promise<AuthApp> {
  running = await createAuthApp({ listen: false, providers: CHANNEL_PROVIDERS, ...options });
  return running;
}

describe('@ChannelAuth discovery', () => {
  it('registers @ChannelAuth methods of providers and controllers at boot', async () => {
    const { app } = await boot({ controllers: [RoomsController] });
    expect(app.get(ChannelAuthRegistry).patterns()).toEqual(
      expect.arrayContaining([
        'orders.{orderId}',
        'chat.{roomId}',
        'vault.{id}',
        'broken',
        'rooms.{roomId}',
      ]),
    );
    expect(app.get(ChannelAuthRegistry).match('private-rooms.1')?.entry.source).toBe(
      'RoomsController.join',
    );
  });

  it('runs an async callback that uses an injected service', async () => {
    const { app } = await boot();
    const authorizer = app.get(ChannelAuthorizer);
    const granted = await authorizer.authorizeChannel({
      user: { id: 1, name: 'Ann' },
      socketId: SOCKET_ID,
      channelName: 'private-orders.7',
    });
    expect(granted.auth).toMatch(/^278d425bdf160c739803:[0-9a-f]{64}$/);
    await expect(
      authorizer.authorizeChannel({
        user: { id: 2, name: 'Bob' },
        socketId: SOCKET_ID,
        channelName: 'private-orders.7',
      }),
    ).rejects.toMatchObject({ reason: 'callback_denied' });
    expect(app.get(OrdersService).asked).toEqual(['7', '7']);
  });

  it('calls the controller callback with the user and params', async () => {
    const { app } = await boot({ controllers: [RoomsController] });
    const response = await app.get(ChannelAuthorizer).authorizeChannel({
      user: { id: 3, name: 'Cy' },
      socketId: SOCKET_ID,
      channelName: 'presence-rooms.blue',
    });
    expect(JSON.parse(response.channel_data!)).toEqual({
      user_id: 3,
      user_info: { name: 'Cy', room: 'blue' },
    });
  });

  it('warns about and skips a request-scoped host', async () => {
    const { app, logs } = await boot({ providers: [...CHANNEL_PROVIDERS, RequestScopedChannels] });
    expect(app.get(ChannelAuthRegistry).patterns()).not.toContain('scoped.{id}');
    expect(logs.join('\n')).toMatch(
      /warn @ChannelAuth on RequestScopedChannels\.scoped is ignored: its class is request-scoped/,
    );
    await expect(
      app.get(ChannelAuthorizer).authorizeChannel({
        user: { id: 1 },
        socketId: SOCKET_ID,
        channelName: 'private-scoped.1',
      }),
    ).rejects.toBeInstanceOf(BroadcastAuthError);
  });

  it('fails at boot when the same pattern is registered twice, naming both methods', async () => {
    const error = await boot({ providers: [...CHANNEL_PROVIDERS, DuplicateOrderChannels] }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /@ChannelAuth\('orders\.\{orderId\}'\) is registered twice: on OrderChannels\.order and on DuplicateOrderChannels\.again/,
    );
  });

  it('fails at boot when callbacks exist but the app secret is missing, naming the key to set', async () => {
    const error = await boot({ config: { app: { id: '3', key: 'some-key' } } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as BroadcastConfigError).key).toBe('app.secret');
    expect((error as Error).message).toMatch(/BROADCASTING_APP_SECRET/);
  });

  it('fails at boot when the app key is missing, without printing the secrets it was given', async () => {
    const error = await boot({ config: { app: { id: '3', secret: SECRET } } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BroadcastConfigError);
    expect((error as BroadcastConfigError).key).toBe('app.key');
    expect((error as Error).message).toMatch(/BROADCASTING_APP_KEY/);
    // Everything a log line could show of the error: message, stack and own fields.
    const shown = `${(error as Error).stack} ${inspect(error, { depth: 5 })}`;
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(MASTER_KEY);
  });

  it('boots without credentials when no @ChannelAuth callback exists', async () => {
    const { app } = await boot({ providers: [], config: { app: {} } });
    expect(app.get(ChannelAuthRegistry).patterns()).toEqual([]);
  });
});
