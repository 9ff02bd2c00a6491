import { createHash } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { BroadcastDriverError, BroadcastManager, BroadcastModule } from 'nestjs-broadcasting';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpSignatureString } from '../../lib/shared/pusher-protocol/signatures.js';
import { defaultBroadcastConfig } from '../../lib/config/default-config.js';
import { PusherBroadcaster } from '../../lib/drivers/pusher.broadcaster.js';
import { startPusherApiStub } from '../fixtures/core/pusher-api-stub.js';

const app = { id: '3', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };
let stub: Awaited<ReturnType<typeof startPusherApiStub>>;

beforeAll(async () => {
  stub = await startPusherApiStub(app);
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.triggers.length = 0;
});

const driver = (overrides: Partial<ConstructorParameters<typeof PusherBroadcaster>[0]> = {}) =>
  new PusherBroadcaster({
    connection: 'pusher',
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: stub.port,
    scheme: 'http',
    ...overrides,
  });

describe('pusher driver against a signature-checking HTTP endpoint', () => {
  it("the stub's check is Pusher's: DESIGN.md's vector", () => {
    const query = {
      auth_key: app.key,
      auth_timestamp: '1353088179',
      auth_version: '1.0',
      body_md5: 'ec365a775a4cd0599faeb73354201b6f',
    };
    const body = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}';
    expect(createHash('md5').update(body).digest('hex')).toBe(query.body_md5);
    expect(httpSignatureString('POST', '/apps/3/events', query)).toBe(
      'POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f',
    );
  });

  it('sends a signed trigger through BroadcastModule, with socket_id for the excluded socket', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BroadcastModule.forRoot({
          default: 'pusher',
          app,
          pusher: { host: '127.0.0.1', port: stub.port, scheme: 'http' },
        }),
      ],
    }).compile();
    await moduleRef.get(BroadcastManager).send({
      channels: ['private-orders.1', 'orders'],
      event: 'order.shipped',
      payload: { order_id: 1 },
      exceptSocketId: '1234.1234',
    });

    expect(stub.triggers).toHaveLength(1);
    expect(stub.triggers[0].body).toEqual({
      name: 'order.shipped',
      data: '{"order_id":1}',
      channels: ['private-orders.1', 'orders'],
      socket_id: '1234.1234',
    });
    expect(stub.triggers[0].path).toBe('/apps/3/events');
    await moduleRef.close();
  });

  it('splits 250 channels into triggers of 100, 100 and 50', async () => {
    const channels = Array.from({ length: 250 }, (_, i) => `room-${i}`);
    await driver().broadcast(channels, 'tick', {});
    const sizes = stub.triggers.map((t) => t.body.channels.length).sort((a, b) => b - a);
    expect(sizes).toEqual([100, 100, 50]);
    expect(stub.triggers.flatMap((t) => t.body.channels).sort()).toEqual([...channels].sort());
    expect(stub.triggers.every((t) => t.body.socket_id === undefined)).toBe(true);
  });

  it('sends each encrypted channel alone, encrypted with the master key', async () => {
    const masterKey = Buffer.alloc(32, 9);
    await driver({ encryptionMasterKey: masterKey.toString('base64') }).broadcast(
      ['private-encrypted-a', 'private-encrypted-b', 'public'],
      'secret.event',
      { hidden: true },
    );
    const byChannel = Object.fromEntries(
      stub.triggers.map((t) => [t.body.channels.join(','), t.body]),
    );
    expect(Object.keys(byChannel).sort()).toEqual([
      'private-encrypted-a',
      'private-encrypted-b',
      'public',
    ]);
    expect(byChannel.public.data).toBe('{"hidden":true}');
    const encrypted = JSON.parse(byChannel['private-encrypted-a'].data) as {
      nonce: string;
      ciphertext: string;
    };
    expect(byChannel['private-encrypted-a'].data).not.toContain('hidden');
    // What pusher-js does with the shared secret the auth endpoint hands out.
    const sharedSecret = createHash('sha256')
      .update(Buffer.concat([Buffer.from('private-encrypted-a'), masterKey]))
      .digest();
    const plain = nacl.secretbox.open(
      Buffer.from(encrypted.ciphertext, 'base64'),
      Buffer.from(encrypted.nonce, 'base64'),
      sharedSecret,
    );
    expect(Buffer.from(plain!).toString('utf8')).toBe('{"hidden":true}');
  });

  it("through the manager, plain channels get the manager's JSON and encrypted ones still decrypt", async () => {
    const masterKey = Buffer.alloc(32, 7);
    const manager = new BroadcastManager({
      ...defaultBroadcastConfig(),
      default: 'pusher',
      app,
      pusher: { host: '127.0.0.1', port: stub.port, scheme: 'http' },
      encryptionMasterKey: masterKey.toString('base64'),
    });
    let serialized = 0;
    const order = { toJSON: () => (serialized++, { id: 1 }) };
    await manager.send({
      channels: ['private-encrypted-a', 'orders', 'audit'],
      event: 'order.shipped',
      payload: { order },
    });
    // Once by the manager (the plain trigger reuses it), once by the SDK's encrypt().
    expect(serialized).toBe(2);
    const byChannel = Object.fromEntries(
      stub.triggers.map((t) => [t.body.channels.join(','), t.body.data]),
    );
    expect(byChannel['orders,audit']).toBe('{"order":{"id":1}}');
    const encrypted = JSON.parse(byChannel['private-encrypted-a']) as {
      nonce: string;
      ciphertext: string;
    };
    const sharedSecret = createHash('sha256')
      .update(Buffer.concat([Buffer.from('private-encrypted-a'), masterKey]))
      .digest();
    const plain = nacl.secretbox.open(
      Buffer.from(encrypted.ciphertext, 'base64'),
      Buffer.from(encrypted.nonce, 'base64'),
      sharedSecret,
    );
    expect(Buffer.from(plain!).toString('utf8')).toBe('{"order":{"id":1}}');
  });

  it('an HTTP error is a BroadcastDriverError with status and body, without the secret', async () => {
    stub.failNext(413, 'Payload too large');
    const error = await driver()
      .broadcast(['a'], 'big', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastDriverError);
    expect(error).toMatchObject({ status: 413, body: 'Payload too large' });
    expect((error as Error).message).toBe(
      'Pusher API responded 413 to "big" on 1 channel(s) via connection "pusher": Payload too large',
    );
  });

  it('a wrong secret is refused by the signature check (401), and the secret is not in the error', async () => {
    const error = await driver({ secret: 'wrong-secret-value' })
      .broadcast(['a'], 'e', {})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401 });
    expect(String((error as Error).message)).toContain('Pusher API responded 401');
    expect(
      JSON.stringify({ ...(error as object), message: (error as Error).message }),
    ).not.toContain('wrong-secret-value');
    expect(stub.triggers).toHaveLength(0);
  });

  it("without a host, the cluster picks Pusher's hosted API over HTTPS", async () => {
    const hosted = new PusherBroadcaster({
      connection: 'hosted',
      ...app,
      appId: app.id,
      cluster: 'eu',
    });
    const client = (await (hosted as unknown as { getClient(): Promise<unknown> }).getClient()) as {
      config: { host: string; scheme: string; port?: number };
    };
    expect(client.config).toMatchObject({
      host: 'api-eu.pusher.com',
      scheme: 'https',
      port: undefined,
    });
  });

  it('an unreachable server is a BroadcastDriverError', async () => {
    const closed = await startPusherApiStub(app);
    await closed.close();
    const error = await driver({ port: closed.port })
      .broadcast(['a'], 'e', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastDriverError);
    expect((error as Error).message).toContain(
      'Pusher API request for "e" on 1 channel(s) via connection "pusher" failed',
    );
  });
});
