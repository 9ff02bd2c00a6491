// One end-to-end run of the whole product, with the client users run in browsers:
// Nest app (BroadcastModule, redis driver, @ChannelAuth, the auth endpoint, and
// BroadcastServerModule on the app's port) -> EventEmitter2.emitAsync(@Broadcastable)
// -> Redis -> the server -> laravel-echo.
import Echo from 'laravel-echo';
import PusherJs from 'pusher-js';
import { Redis } from 'ioredis';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoE2eApp, E2E_APP, OrderShipped } from './fixtures/echo-e2e-app.js';
import { uniquePrefix, waitFor } from '../support/broadcast-server-harness.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = uniquePrefix('echo-e2e');
let server;
let redis;
const echoes = [];

function echoFor(userId) {
  const echo = new Echo({
    broadcaster: 'pusher',
    Pusher: PusherJs,
    key: E2E_APP.key,
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    authEndpoint: `${server.url}/broadcasting/auth`,
    auth: { headers: { 'X-User-Id': String(userId) } },
  });
  echoes.push(echo);
  return echo;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  server = await createEchoE2eApp({ url: REDIS_URL, prefix });
});
afterAll(async () => {
  for (const echo of echoes) echo.disconnect();
  await server?.close();
  await redis?.quit();
});

describe('end to end: emitAsync -> redis driver -> broadcast server -> laravel-echo', () => {
  it('delivers an @Broadcastable event to the authorized Echo client and refuses the other', async () => {
    const owner = echoFor(1);
    const stranger = echoFor(2);

    const received = [];
    let ownerSubscribed = false;
    owner
      .private('orders.5')
      .subscribed(() => (ownerSubscribed = true))
      .listen('.order.shipped', (payload) => received.push(payload));

    const denials = [];
    const strangerReceived = [];
    stranger
      .private('orders.5')
      .error((error) => denials.push(error))
      .listen('.order.shipped', (payload) => strangerReceived.push(payload));

    await waitFor(() => ownerSubscribed, 5000, 'the owner to be subscribed');
    await waitFor(() => denials.length > 0, 5000, 'the stranger to be refused');
    expect(denials[0]).toMatchObject({ type: 'AuthError', status: 403 });

    // The server SUBSCRIBEd to the channel on Redis when the owner joined it.
    await waitFor(
      async () => Number((await redis.pubsub('NUMSUB', `${prefix}private-orders.5`))[1]) > 0,
    );

    await server.app.get(EventEmitter2).emitAsync('order.shipped', new OrderShipped(5));

    await waitFor(() => received.length > 0, 5000, 'the event at the owner');
    expect(received).toEqual([{ order_id: 5 }]);
    expect(strangerReceived).toEqual([]);
  });
});
