import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signChannel } from '../../../lib/shared/pusher-protocol/signatures.js';
import type { ServerAppOptions } from '../../../lib/server/options/server-options.interface.js';
import { RawClient, type Frame } from '../support/engine-harness.js';
import { serverSdk, signedFetch } from '../support/broadcast-server-harness.js';
import { buildPackage, removePackage } from '../support/built-package.js';
import { killBins, runBin, type BinProcess } from '../support/bin-process.js';

/**
 * The example config file, as it stands (fixtures/two-apps.json), run by the bin
 * with only the host and port from the environment: two apps, each with its own origins,
 * limits and credentials, JSON logs at debug.
 */
const FIXTURE = join(import.meta.dirname, 'fixtures/two-apps.json');
const APP: ServerAppOptions = { id: 'app-id', key: 'app-key', secret: 'app-secret' };
const SHOP: ServerAppOptions = { id: 'shop', key: 'shop-key', secret: 'shop-secret' };
const SHOP_ORIGIN = { origin: 'https://shop.example' };
const ENV = {
  BROADCASTING_CONFIG: FIXTURE,
  BROADCASTING_SERVER_HOST: '127.0.0.1',
  BROADCASTING_SERVER_PORT: '0',
};

let pkg: string;
beforeAll(() => {
  pkg = buildPackage('two-apps');
}, 120_000);
afterAll(() => removePackage(pkg));

/** `pusher:subscribe` signed with `app`'s secret; resolves with the server's answer. */
async function subscribeSigned(
  client: RawClient,
  app: ServerAppOptions,
  channel: string,
  member?: object,
): Promise<Frame> {
  const channelData = member === undefined ? undefined : JSON.stringify(member);
  const from = client.frames.length;
  client.send({
    event: 'pusher:subscribe',
    data: {
      channel,
      ...(channel.startsWith('presence-') || channel.startsWith('private-')
        ? { auth: signChannel(app.key, app.secret, client.socketId!, channel, channelData) }
        : {}),
      ...(channelData === undefined ? {} : { channel_data: channelData }),
    },
  });
  const answer = (f: Frame) =>
    f.channel === channel &&
    (f.event === 'pusher_internal:subscription_succeeded' ||
      f.event === 'pusher:subscription_error');
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const found = client.frames.slice(from).find(answer);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no answer to the subscription to ${channel}`);
}

describe("one bin for two apps, from the issue's config file", () => {
  let bin: BinProcess;
  let port: number;
  const clients: RawClient[] = [];
  const connect = async (app: ServerAppOptions, headers: Record<string, string> = {}) => {
    const client = await RawClient.connect(`ws://127.0.0.1:${port}/app/${app.key}?protocol=7`, {
      headers,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    // The file's metrics port, 9601, is fixed; --metrics-port 0 (a free one) keeps parallel
    // test runs apart. Everything else comes from the file and the two variables.
    bin = runBin(pkg, ['serve', '--metrics-port', '0'], ENV);
    ({ port } = await bin.listening());
  }, 90_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => killBins());

  it('lets any origin reach the first app, and only https://shop.example the shop', async () => {
    await expect(connect(APP, { origin: 'https://elsewhere.example' })).resolves.toBeDefined();
    await expect(connect(SHOP, SHOP_ORIGIN)).resolves.toBeDefined();

    for (const headers of [{ origin: 'https://elsewhere.example' }, {}] as Record<
      string,
      string
    >[]) {
      const refused = await RawClient.connect(`ws://127.0.0.1:${port}/app/${SHOP.key}?protocol=7`, {
        established: false,
        headers,
      });
      clients.push(refused);
      expect(await refused.closed()).toBe(4009);
      expect((await refused.next('pusher:error')).data).toMatchObject({ code: 4009 });
    }
  });

  it("answers each app's HTTP API with its own credentials only", async () => {
    const body = JSON.stringify({ name: 'e', channels: ['news'], data: '{}' });
    const post = (id: string, credentials: ServerAppOptions) =>
      signedFetch({ url: `http://127.0.0.1:${port}` }, 'POST', `/apps/${id}/events`, {
        body,
        app: { ...credentials, id },
      });
    expect((await post('shop', SHOP)).status).toBe(200);
    expect((await post('app-id', APP)).status).toBe(200);
    expect((await post('shop', APP)).status).toBe(401);
    expect((await post('app-id', SHOP)).status).toBe(401);
  });

  it("delivers each app's broadcasts to its own clients only, both ways", async () => {
    const appClient = await connect(APP);
    const shopClient = await connect(SHOP, SHOP_ORIGIN);
    await subscribeSigned(appClient, APP, 'news');
    await subscribeSigned(shopClient, SHOP, 'news');

    await serverSdk({ port }, APP).trigger('news', 'for-app', { n: 1 });
    await serverSdk({ port }, SHOP).trigger('news', 'for-shop', { n: 2 });
    await appClient.next('for-app', 'news');
    await shopClient.next('for-shop', 'news');
    // A ping's pong comes after anything the server sent before it on that socket.
    await appClient.flush();
    await shopClient.flush();
    expect(appClient.all('for-shop')).toEqual([]);
    expect(shopClient.all('for-app')).toEqual([]);
  });

  it("refuses the shop's sixth channel with LimitReached, and the connection stays usable", async () => {
    const shop = await connect(SHOP, SHOP_ORIGIN);
    for (let i = 1; i <= 5; i++)
      expect((await subscribeSigned(shop, SHOP, `room-${i}`)).event).toBe(
        'pusher_internal:subscription_succeeded',
      );
    const refused = await subscribeSigned(shop, SHOP, 'room-6');
    expect(refused.event).toBe('pusher:subscription_error');
    expect(JSON.parse(refused.data as string)).toMatchObject({
      type: 'LimitReached',
      status: 4301,
      error: expect.stringContaining('maxChannelsPerConnection'),
    });

    shop.send({ event: 'pusher:unsubscribe', data: { channel: 'room-1' } });
    expect((await subscribeSigned(shop, SHOP, 'room-6')).event).toBe(
      'pusher_internal:subscription_succeeded',
    );
    expect(shop.closeCode).toBeUndefined();

    // The first app keeps the default limit (1000).
    const app = await connect(APP);
    for (let i = 1; i <= 6; i++)
      expect((await subscribeSigned(app, APP, `room-${i}`)).event).toBe(
        'pusher_internal:subscription_succeeded',
      );
  });

  it("holds two members in a shop presence channel (the file's maxPresenceMembers)", async () => {
    const answers: Frame[] = [];
    for (const userId of ['u1', 'u2', 'u3']) {
      const client = await connect(SHOP, SHOP_ORIGIN);
      answers.push(await subscribeSigned(client, SHOP, 'presence-lobby', { user_id: userId }));
    }
    expect(answers.map((a) => a.event)).toEqual([
      'pusher_internal:subscription_succeeded',
      'pusher_internal:subscription_succeeded',
      'pusher:subscription_error',
    ]);
    expect(JSON.parse(answers[2].data as string)).toMatchObject({ status: 403 });
  });

  it('wrote JSON lines only, on both streams: connections, subscriptions and close codes at debug, and never a secret', async () => {
    const shop = await connect(SHOP, SHOP_ORIGIN);
    await subscribeSigned(shop, SHOP, 'audit');
    shop.close();
    await shop.closed();
    const socketId = shop.socketId!;
    const parsed = () => [...bin.lines('out'), ...bin.lines('err')].map((line) => JSON.parse(line));
    await expect
      .poll(
        () => parsed().some((l) => l.msg.includes(`Connection ${socketId}`) && l.code === 1005),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);

    const lines = [...bin.lines('out'), ...bin.lines('err')];
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const entry = JSON.parse(line); // throws, failing the test, on anything but JSON
      expect(entry).toMatchObject({
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        level: expect.stringMatching(/^(error|warn|info|debug)$/),
        msg: expect.any(String),
      });
      expect(line).not.toMatch(/app-secret|shop-secret/);
    }
    for (const line of bin.lines('out')) expect(JSON.parse(line).level).toMatch(/^(info|debug)$/);
    for (const line of bin.lines('err')) expect(JSON.parse(line).level).toMatch(/^(warn|error)$/);

    const entries = parsed();
    const listening = entries.find((e) => e.level === 'info' && /listening on/.test(e.msg));
    expect(listening.apps).toEqual([
      { id: 'app-id', key: 'app-key' },
      { id: 'shop', key: 'shop-key' },
    ]);
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'debug', socketId, appId: 'shop', address: '127.0.0.1' }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'debug', socketId, channel: 'audit' }),
    );
    // Refusals are logged with their code, by app key (the socket never got an id).
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'debug', appKey: 'shop-key', code: 4009 }),
    );
  });

  it('shuts down on SIGTERM with JSON lines too, and exits 0', async () => {
    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(0);
    const messages = bin.lines('out').map((line) => JSON.parse(line).msg as string);
    expect(messages).toContainEqual(expect.stringMatching(/^SIGTERM received/));
    expect(messages).toContainEqual(expect.stringMatching(/^Broadcast server stopping/));
    expect(messages).toContainEqual('Broadcast server stopped.');
  });
});

describe('a config file the bin refuses', () => {
  afterEach(() => killBins());

  /** The fixture with one change, in a file of its own. */
  function variant(name: string, change: (server: any) => void): string {
    const config = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    change(config.server);
    const path = join(pkg, `${name}.json`);
    writeFileSync(path, JSON.stringify(config, null, 2));
    return path;
  }

  it('stops on an unknown key, naming its path, the file and the key meant', async () => {
    const file = variant('typo', (server) => {
      server.apps[1].allowedOrigin = server.apps[1].allowedOrigins;
      delete server.apps[1].allowedOrigins;
    });
    const bin = runBin(pkg, ['serve'], { ...ENV, BROADCASTING_CONFIG: file });
    expect(await bin.exit).toBe(1);
    const stderr = bin.err.join('');
    expect(stderr).toContain(
      `Unknown broadcasting config key server.apps[1].allowedOrigin (in config file ${file}). ` +
        'Did you mean "allowedOrigins"?',
    );
    expect(stderr).not.toMatch(/secret"|app-secret|shop-secret|\n\s+at /);
    expect(bin.out.join('')).toBe('');
  });

  it('stops on a wrong type, naming the key path and the file', async () => {
    const file = variant('wrong-type', (server) => {
      server.apps[1].limits.maxPresenceMembers = 'two';
    });
    const bin = runBin(pkg, ['serve'], { ...ENV, BROADCASTING_CONFIG: file });
    expect(await bin.exit).toBe(1);
    expect(bin.err.join('')).toContain(
      `Invalid broadcasting config server.apps[1].limits.maxPresenceMembers = "two" ` +
        `(from config file ${file} "server.apps[1].limits.maxPresenceMembers"): must be a whole number of at least 1.`,
    );
  });

  it('never shows a secret of the wrong type', async () => {
    const file = variant('secret-type', (server) => {
      server.apps[0].secret = 987654321;
    });
    const bin = runBin(pkg, ['serve'], { ...ENV, BROADCASTING_CONFIG: file });
    expect(await bin.exit).toBe(1);
    expect(bin.err.join('')).toContain('server.apps[0].secret = "****"');
    expect(bin.err.join('')).not.toContain('987654321');
  });

  it('reports the error as one JSON line when the environment asks for JSON', async () => {
    const file = variant('typo-json', (server) => {
      server.shutdownGrace = 5;
    });
    const bin = runBin(pkg, ['serve'], {
      ...ENV,
      BROADCASTING_CONFIG: file,
      BROADCASTING_LOG_FORMAT: 'json',
    });
    expect(await bin.exit).toBe(1);
    const lines = bin.lines('err');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'error',
      msg: expect.stringContaining(
        'Unknown broadcasting config key server.shutdownGrace (in config file',
      ),
    });
    expect(lines[0]).toContain('shutdownGraceSeconds');
  });
});
