import Echo from 'laravel-echo';
import PusherJs from 'pusher-js';
import { startBroadcastServer, type BroadcastServerHandle } from 'nestjs-broadcasting/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ID, KEY, SECRET } from './fixtures/auth-config.js';
import { ADAPTERS, createAuthApp, type AuthApp } from './fixtures/auth-test-app.js';
import { CHANNEL_PROVIDERS } from './fixtures/channels.fixture.js';
import { BearerTokenGuard, UserDirectory } from './fixtures/guards.fixture.js';

interface Channel {
  bind(event: string, callback: (data: any) => void): void;
}
interface Client {
  subscribe(name: string): Channel;
  signin(): void;
  bind(event: string, callback: (data: any) => void): void;
  disconnect(): void;
}
// pusher-js ships CommonJS typings that NodeNext does not see as a constructor.
const PusherClient = PusherJs as unknown as new (key: string, options: object) => Client;

/** The first of two events, with its name: subscriptions either succeed or fail. */
function outcome(channel: Channel): Promise<{ event: string; data: any }> {
  return new Promise((resolve) => {
    for (const event of ['pusher:subscription_succeeded', 'pusher:subscription_error'])
      channel.bind(event, (data: unknown) => resolve({ event, data }));
  });
}

describe.each(ADAPTERS)('real subscriptions through the auth endpoint on %s', (adapter) => {
  let server: BroadcastServerHandle;
  let app: AuthApp;
  const clients: Array<{ disconnect(): void }> = [];

  beforeAll(async () => {
    server = await startBroadcastServer({
      apps: [{ id: APP_ID, key: KEY, secret: SECRET }],
      host: '127.0.0.1',
      port: 0,
      logger: false,
    });
    app = await createAuthApp({
      adapter,
      providers: [...CHANNEL_PROVIDERS, UserDirectory, BearerTokenGuard],
      auth: { guards: [BearerTokenGuard] },
    });
  });
  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await app?.close();
    await server?.close();
  });

  const socketOptions = () => ({
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
  });

  function pusherJs(token: string): Client {
    const headers = { Authorization: `Bearer ${token}` };
    const client = new PusherClient(KEY, {
      ...socketOptions(),
      channelAuthorization: {
        endpoint: `${app.url}/broadcasting/auth`,
        transport: 'ajax',
        headers,
      },
      userAuthentication: {
        endpoint: `${app.url}/broadcasting/user-auth`,
        transport: 'ajax',
        headers,
      },
    });
    clients.push(client);
    return client;
  }

  it('pusher-js joins a private channel the callback allows', async () => {
    const result = await outcome(pusherJs('ann-token').subscribe('private-orders.7'));
    expect(result.event).toBe('pusher:subscription_succeeded');
  });

  it('pusher-js is refused a private channel the callback denies, with status 403', async () => {
    const result = await outcome(pusherJs('bob-token').subscribe('private-orders.7'));
    expect(result.event).toBe('pusher:subscription_error');
    expect(result.data.status).toBe(403);
  });

  it('pusher-js signs in with the user-auth endpoint', async () => {
    const client = pusherJs('ann-token');
    const signedIn = new Promise((resolve) => client.bind('pusher:signin_success', resolve));
    client.signin();
    await expect(signedIn).resolves.toBeDefined();
  });

  it("laravel-echo joins a presence channel and sees the callback's user_info", async () => {
    const echo = new Echo({
      broadcaster: 'pusher',
      key: KEY,
      ...socketOptions(),
      Pusher: PusherJs,
      authEndpoint: `${app.url}/broadcasting/auth`,
      bearerToken: 'ann-token',
    } as never);
    clients.push(echo);
    const members = await new Promise((resolve) => echo.join('chat.lobby').here(resolve));
    expect(members).toEqual([{ name: 'Ann' }]);
  });
});
