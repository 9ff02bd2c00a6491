import { describe, expect, it } from 'vitest';
import { SOCKET_ID } from '../../../lib/shared/pusher-protocol/channel-names.js';
import {
  RawClient,
  useEngine,
  TEST_APP,
  waitForAsync,
  type EngineHarness,
} from '../support/engine-harness.js';

const engines = useEngine();
let harness: EngineHarness | undefined;

describe('handshake', () => {
  it('sends connection_established with a digits.digits socket id and the activity timeout as a JSON string', async () => {
    harness = await engines.start({ activityTimeout: 42 });
    const client = await RawClient.connect(harness.url());
    const frame = client.frames[0];
    expect(frame.event).toBe('pusher:connection_established');
    expect(typeof frame.data).toBe('string');
    const data = JSON.parse(frame.data as string);
    expect(data.socket_id).toMatch(SOCKET_ID);
    expect(data.activity_timeout).toBe(42);
    client.close();
  });

  it('gives every connection a different, random socket id', async () => {
    harness = await engines.start();
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => RawClient.connect(harness!.url())),
    );
    const ids = new Set(clients.map((c) => c.socketId));
    expect(ids.size).toBe(20);
    // Random, not a counter: the first parts are not consecutive.
    const firsts = clients.map((c) => Number(c.socketId!.split('.')[0])).sort((a, b) => a - b);
    expect(firsts[firsts.length - 1] - firsts[0]).toBeGreaterThan(1000);
    clients.forEach((c) => c.close());
  });

  it('refuses an unknown app key with pusher:error 4001 then close 4001', async () => {
    harness = await engines.start();
    const client = await RawClient.connect(harness.url('nope'), { established: false });
    expect(await client.closed()).toBe(4001);
    expect(client.frames).toEqual([
      { event: 'pusher:error', data: { code: 4001, message: expect.any(String) } },
    ]);
  });

  it('refuses a disabled app with 4003', async () => {
    harness = await engines.start({ apps: [{ ...TEST_APP, enabled: false }] });
    const client = await RawClient.connect(harness.url(), { established: false });
    expect(await client.closed()).toBe(4003);
    expect(client.frames[0]).toMatchObject({ event: 'pusher:error', data: { code: 4003 } });
  });

  it('refuses the connection over maxConnections with 4004 and keeps the others', async () => {
    harness = await engines.start({ apps: [{ ...TEST_APP, maxConnections: 2 }] });
    const a = await RawClient.connect(harness.url());
    const b = await RawClient.connect(harness.url());
    const c = await RawClient.connect(harness.url(), { established: false });
    expect(await c.closed()).toBe(4004);
    expect(c.frames[0]).toMatchObject({ event: 'pusher:error', data: { code: 4004 } });
    await a.flush();
    expect(a.closeCode).toBeUndefined();
    expect(await harness.engine.connectionCount(TEST_APP.id)).toBe(2);
    a.close();
    await waitForAsync(async () => (await harness!.engine.connectionCount(TEST_APP.id)) === 1);
    const d = await RawClient.connect(harness.url());
    expect(d.socketId).toMatch(/\./);
    b.close();
    d.close();
  });

  it('refuses an origin outside allowedOrigins with 4009', async () => {
    harness = await engines.start({
      apps: [{ ...TEST_APP, allowedOrigins: ['https://app.example.com'] }],
    });
    const bad = await RawClient.connect(harness.url(), {
      established: false,
      headers: { Origin: 'https://evil.example.com' },
    });
    expect(await bad.closed()).toBe(4009);
    expect(bad.frames[0]).toMatchObject({ event: 'pusher:error', data: { code: 4009 } });
    const good = await RawClient.connect(harness.url(), {
      headers: { Origin: 'https://app.example.com' },
    });
    expect(good.socketId).toBeDefined();
    good.close();
  });

  it('refuses a connection without an Origin header when allowedOrigins has no "*"', async () => {
    harness = await engines.start({
      apps: [{ ...TEST_APP, allowedOrigins: ['https://app.example.com'] }],
    });
    // Node's ws client sends no Origin unless asked, as a server-side script would.
    const bare = await RawClient.connect(harness.url(), { established: false });
    expect(await bare.closed()).toBe(4009);
    expect(bare.frames).toEqual([
      {
        event: 'pusher:error',
        data: { code: 4009, message: 'Origin (none) is not in allowedOrigins.' },
      },
    ]);
    expect(await harness.engine.connectionCount(TEST_APP.id)).toBe(0);
  });

  it('refuses a protocol version below 5 with 4007', async () => {
    harness = await engines.start();
    const client = await RawClient.connect(harness.url(undefined, 'protocol=4'), {
      established: false,
    });
    expect(await client.closed()).toBe(4007);
  });

  it('leaves upgrades on other paths to the host', async () => {
    harness = await engines.start();
    const { engine } = harness;
    const req = { url: '/socket.io/?EIO=4' } as never;
    expect(engine.handleUpgrade(req, {} as never, Buffer.alloc(0))).toBe(false);
  });

  it('closes every socket with 4200 on close(), and close() is idempotent', async () => {
    harness = await engines.start();
    const client = await RawClient.connect(harness.url());
    await Promise.all([harness.engine.close(), harness.engine.close()]);
    expect(await client.closed()).toBe(4200);
  });

  it("keeps apps apart: a publish to one app never reaches another app's sockets", async () => {
    const other = { id: 'other-app', key: 'other-key', secret: 'other-secret' };
    harness = await engines.start({ apps: [TEST_APP, other] });
    const a = await RawClient.connect(harness.url());
    const b = await RawClient.connect(harness.url('other-key'));
    await a.subscribe('news');
    await b.subscribe('news');
    harness.engine.publish(other.id, ['news'], 'only-b', '{}');
    await b.next('only-b', 'news');
    await a.flush();
    expect(a.all('only-b')).toEqual([]);
    expect(await harness.engine.connectionCount(other.id)).toBe(1);
    a.close();
    b.close();
  });
});
