import { beforeEach, describe, expect, it } from 'vitest';
import { BroadcastDriverError } from 'nestjs-broadcasting';
import type { BroadcastServerHandle } from 'nestjs-broadcasting/server';
import { PusherBroadcaster } from '../../../lib/drivers/pusher.broadcaster.js';
import {
  connected,
  HTTP_APP,
  record,
  senderAndOther,
  subscribed,
  useTestServers,
  waitFor,
} from '../support/broadcast-server-harness.js';

const servers = useTestServers();
const client = () => servers.client();
let server: BroadcastServerHandle;
const driver = (overrides: Partial<ConstructorParameters<typeof PusherBroadcaster>[0]> = {}) =>
  new PusherBroadcaster({
    connection: 'pusher',
    appId: HTTP_APP.id,
    key: HTTP_APP.key,
    secret: HTTP_APP.secret,
    host: '127.0.0.1',
    port: server.port,
    scheme: 'http',
    ...overrides,
  });

beforeEach(async () => {
  server = await servers.start();
});

describe('delivery from the pusher driver (this server as the Pusher API)', () => {
  it('delivers through the HTTP API to pusher-js, excluding the sender', async () => {
    const { sender, senderGot, otherGot } = await senderAndOther(
      client,
      'private-orders.9',
      'order.shipped',
    );

    await driver().broadcast(
      ['private-orders.9'],
      'order.shipped',
      { id: 9 },
      {
        exceptSocketId: await connected(sender),
      },
    );
    await driver().broadcast(['private-orders.9'], 'order.shipped', { id: 10 });

    await waitFor(() => otherGot.length === 2 && senderGot.length === 1);
    expect(otherGot).toEqual([{ id: 9 }, { id: 10 }]);
    expect(senderGot).toEqual([{ id: 10 }]);
  });

  it('reaches all of more than 100 channels (the driver chunks, the server accepts each chunk)', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `bulk.${i}`);
    const c = client();
    const [first, last] = await Promise.all([subscribed(c, names[0]), subscribed(c, names[149])]);
    const gotFirst = record(first, 'bulk');
    const gotLast = record(last, 'bulk');

    await driver().broadcast(names, 'bulk', { ok: true });

    await waitFor(() => gotFirst.length === 1 && gotLast.length === 1);
  });

  it('surfaces a 401 from the server as a BroadcastDriverError without the secret', async () => {
    const failure = driver({ secret: 'wrong-secret' }).broadcast(['x'], 'e', {});
    await expect(failure).rejects.toBeInstanceOf(BroadcastDriverError);
    const error = (await failure.catch((e) => e)) as BroadcastDriverError;
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('wrong-secret');
  });
});
