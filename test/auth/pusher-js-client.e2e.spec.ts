import Echo from 'laravel-echo';
import Pusher from 'pusher';
import PusherJs from 'pusher-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ID, KEY, MASTER_KEY, SECRET, SOCKET_ID } from './fixtures/auth-config.js';
import { ADAPTERS, createAuthApp, type AuthApp } from './fixtures/auth-test-app.js';
import { CHANNEL_PROVIDERS } from './fixtures/channels.fixture.js';
import { BearerTokenGuard, UserDirectory } from './fixtures/guards.fixture.js';

const sdk = new Pusher({
  appId: APP_ID,
  key: KEY,
  secret: SECRET,
  cluster: 'mt1',
  encryptionMasterKeyBase64: MASTER_KEY,
});

type AuthCallback = (error: Error | null, data: Record<string, string> | null) => void;
interface ClientAuth {
  channelAuthorizer(
    params: { socketId: string; channelName: string },
    callback: AuthCallback,
  ): void;
  userAuthenticator(params: { socketId: string }, callback: AuthCallback): void;
}

// pusher-js ships CommonJS typings that NodeNext does not see as a constructor.
const PusherClient = PusherJs as unknown as new (
  key: string,
  options: object,
) => { config: ClientAuth; disconnect(): void };

// The clients would connect to a broadcast server; nothing listens on port 1, so they only
// ever use their HTTP authorizers here (the server's tests cover real subscriptions).
const noServer = {
  cluster: 'mt1',
  wsHost: '127.0.0.1',
  wsPort: 1,
  forceTLS: false,
  enabledTransports: ['ws'],
};

function ask(
  run: (callback: AuthCallback) => void,
): Promise<{ error: Error | null; data: Record<string, string> | null }> {
  return new Promise((resolve) => run((error, data) => resolve({ error, data })));
}

describe.each(ADAPTERS)('pusher-js and laravel-echo against the endpoints on %s', (adapter) => {
  let server: AuthApp;
  const clients: Array<{ disconnect(): void }> = [];

  beforeAll(async () => {
    server = await createAuthApp({
      adapter,
      providers: [...CHANNEL_PROVIDERS, UserDirectory, BearerTokenGuard],
      auth: { guards: [BearerTokenGuard] },
    });
  });
  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await server?.close();
  });

  function pusherJs(token: string): ClientAuth {
    const headers = { Authorization: `Bearer ${token}` };
    const client = new PusherClient(KEY, {
      ...noServer,
      channelAuthorization: {
        endpoint: `${server.url}/broadcasting/auth`,
        transport: 'ajax',
        headers,
      },
      userAuthentication: {
        endpoint: `${server.url}/broadcasting/user-auth`,
        transport: 'ajax',
        headers,
      },
    });
    clients.push(client);
    return client.config;
  }

  function echo(token: string): ClientAuth {
    const instance = new Echo({
      broadcaster: 'pusher',
      key: KEY,
      ...noServer,
      Pusher: PusherJs,
      authEndpoint: `${server.url}/broadcasting/auth`,
      userAuthentication: { endpoint: `${server.url}/broadcasting/user-auth`, headers: {} },
      bearerToken: token,
    } as never);
    clients.push(instance);
    return (instance.connector as unknown as { pusher: { config: ClientAuth } }).pusher.config;
  }

  it("pusher-js's channel authorizer gets the SDK's private and presence responses", async () => {
    const client = pusherJs('ann-token');
    const priv = await ask((cb) =>
      client.channelAuthorizer({ socketId: SOCKET_ID, channelName: 'private-orders.7' }, cb),
    );
    expect(priv.error).toBeNull();
    expect(priv.data).toEqual(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7'));
    const presence = await ask((cb) =>
      client.channelAuthorizer({ socketId: SOCKET_ID, channelName: 'presence-chat.lobby' }, cb),
    );
    expect(presence.data).toEqual(
      sdk.authorizeChannel(SOCKET_ID, 'presence-chat.lobby', {
        user_id: 1,
        user_info: { name: 'Ann' },
      } as unknown as { user_id: string }),
    );
  });

  it("pusher-js's user authenticator gets the SDK's sign-in response", async () => {
    const result = await ask((cb) =>
      pusherJs('bob-token').userAuthenticator({ socketId: SOCKET_ID }, cb),
    );
    expect(result.error).toBeNull();
    expect(result.data).toEqual(sdk.authenticateUser(SOCKET_ID, { id: '2' }));
  });

  it('pusher-js reports a denial as an error with the 403 status', async () => {
    const result = await ask((cb) =>
      pusherJs('bob-token').channelAuthorizer(
        { socketId: SOCKET_ID, channelName: 'private-orders.7' },
        cb,
      ),
    );
    expect(result.data).toBeNull();
    expect(String(result.error)).toMatch(/received status: 403/);
  });

  it("laravel-echo's authEndpoint and bearerToken options reach the endpoint", async () => {
    const client = echo('ann-token');
    const channel = await ask((cb) =>
      client.channelAuthorizer(
        { socketId: SOCKET_ID, channelName: 'private-encrypted-vault.3' },
        cb,
      ),
    );
    expect(channel.data).toEqual(sdk.authorizeChannel(SOCKET_ID, 'private-encrypted-vault.3'));
    const user = await ask((cb) => client.userAuthenticator({ socketId: SOCKET_ID }, cb));
    expect(user.data).toEqual(sdk.authenticateUser(SOCKET_ID, { id: '1' }));
  });
});
