import {
  Controller,
  Injectable,
  Post,
  type CallHandler,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import Pusher from 'pusher';
import { map } from 'rxjs';
import { ChannelAuthorizer } from 'nestjs-broadcasting';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ID, KEY, MASTER_KEY, SECRET, SOCKET_ID } from './fixtures/auth-config.js';
import { ADAPTERS, createAuthApp, postAuth, type AuthApp } from './fixtures/auth-test-app.js';
import { CHANNEL_PROVIDERS, RoomsController } from './fixtures/channels.fixture.js';
import {
  BearerTokenGuard,
  RequireHeaderGuard,
  UnbuildableGuard,
  UserDirectory,
} from './fixtures/guards.fixture.js';

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
const ann = { authorization: 'Bearer ann-token' };

/** An app-wide response envelope, the kind that would break pusher-js if it wrapped auth. */
@Injectable()
class WrapInDataInterceptor implements NestInterceptor {
  intercept(_context: unknown, next: CallHandler) {
    return next.handle().pipe(map((data) => ({ data })));
  }
}

@Controller()
class PingController {
  @Post('ping')
  ping() {
    return { pong: true };
  }
}

describe.each(ADAPTERS)('auth endpoints on %s', (adapter) => {
  let server: AuthApp;
  let auth: string;
  let userAuth: string;
  const seen: string[] = [];

  async function post(
    url: string,
    fields: Record<string, string>,
    options?: Parameters<typeof postAuth>[2],
  ): Promise<Awaited<ReturnType<typeof postAuth>>> {
    const response = await postAuth(url, fields, options);
    seen.push(response.text);
    return response;
  }

  beforeAll(async () => {
    server = await createAuthApp({
      adapter,
      providers: [...CHANNEL_PROVIDERS, UserDirectory, BearerTokenGuard],
      controllers: [RoomsController],
      auth: { guards: [BearerTokenGuard], exposeDenialReasons: true },
    });
    auth = `${server.url}/broadcasting/auth`;
    userAuth = `${server.url}/broadcasting/user-auth`;
  });
  afterAll(() => server?.close());

  describe('grants', () => {
    it('answers a form-encoded private request with the SDK body, byte for byte', async () => {
      const response = await post(
        auth,
        { socket_id: SOCKET_ID, channel_name: 'private-orders.7' },
        { headers: ann },
      );
      expect(response.status).toBe(200);
      expect(response.text).toBe(
        JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7')),
      );
    });

    it('answers a JSON private request the same way', async () => {
      const response = await post(
        auth,
        { socket_id: SOCKET_ID, channel_name: 'private-orders.7' },
        { json: true, headers: ann },
      );
      expect(response.status).toBe(200);
      expect(response.text).toBe(
        JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7')),
      );
    });

    it('answers a presence request with auth and channel_data, like the SDK', async () => {
      const response = await post(
        auth,
        { socket_id: SOCKET_ID, channel_name: 'presence-chat.lobby' },
        { headers: ann },
      );
      expect(response.status).toBe(200);
      expect(typeof response.body.channel_data).toBe('string');
      expect(response.text).toBe(
        JSON.stringify(
          sdk.authorizeChannel(SOCKET_ID, 'presence-chat.lobby', presence(1, { name: 'Ann' })),
        ),
      );
    });

    it('answers an encrypted private request with the SDK shared_secret', async () => {
      const response = await post(
        auth,
        { socket_id: SOCKET_ID, channel_name: 'private-encrypted-vault.1' },
        { headers: ann },
      );
      expect(response.status).toBe(200);
      expect(response.text).toBe(
        JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-encrypted-vault.1')),
      );
    });

    it('answers user authentication, form-encoded and JSON, like the SDK', async () => {
      const expected = JSON.stringify(sdk.authenticateUser(SOCKET_ID, { id: '1' }));
      const form = await post(userAuth, { socket_id: SOCKET_ID }, { headers: ann });
      const json = await post(userAuth, { socket_id: SOCKET_ID }, { headers: ann, json: true });
      expect([form.status, form.text]).toEqual([200, expected]);
      expect([json.status, json.text]).toEqual([200, expected]);
    });

    it('marks responses as not cacheable', async () => {
      const response = await fetch(auth, {
        method: 'POST',
        headers: { ...ann, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `socket_id=${SOCKET_ID}&channel_name=private-orders.7`,
      });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    });
  });

  describe('denials', () => {
    it('403 unauthenticated without a user', async () => {
      const response = await post(auth, { socket_id: SOCKET_ID, channel_name: 'private-orders.7' });
      expect([response.status, response.body.reason]).toEqual([403, 'unauthenticated']);
      const user = await post(userAuth, { socket_id: SOCKET_ID });
      expect([user.status, user.body.reason]).toEqual([403, 'unauthenticated']);
    });

    it('403 no_matching_pattern', async () => {
      const response = await post(
        auth,
        { socket_id: SOCKET_ID, channel_name: 'private-invoices.7' },
        { headers: ann },
      );
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        error: 'No channel authorization rule matches "private-invoices.7".',
        reason: 'no_matching_pattern',
      });
      // The hint for the developer (which patterns exist, how to add one) is in the log only.
      expect(server.logs).toContainEqual(
        expect.stringMatching(
          /^log Denied \(no_matching_pattern\): No @ChannelAuth pattern matches "private-invoices\.7" \(registered: .*orders\.\{orderId\}.*\)\. Add a @ChannelAuth method/,
        ),
      );
    });

    it('403 callback_denied: the body names the channel and the reason, the log the method', async () => {
      const response = await post(
        auth,
        { socket_id: SOCKET_ID, channel_name: 'private-orders.7' },
        { headers: { authorization: 'Bearer bob-token' } },
      );
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        error: 'Not allowed to join "private-orders.7".',
        reason: 'callback_denied',
      });
      expect(response.text).not.toMatch(/OrderChannels|\.order\b|falsy/);
      // (The recording logger appends Nest's context, ChannelAuth.)
      expect(server.logs).toContainEqual(
        'log Denied (callback_denied): OrderChannels.order refused "private-orders.7" ' +
          '(it returned a falsy value). ChannelAuth',
      );
    });

    it('403 callback_error for a throwing callback, which is logged', async () => {
      const response = await post(
        auth,
        { socket_id: SOCKET_ID, channel_name: 'private-broken' },
        { headers: ann },
      );
      expect([response.status, response.body.reason]).toEqual([403, 'callback_error']);
      expect(response.body.error).toBe(
        'Authorizing "private-broken" failed on the server, so it was denied.',
      );
      expect(response.text).not.toMatch(/database is down|OrderChannels|broken threw/);
      expect(server.logs.join('\n')).toMatch(
        /error OrderChannels\.broken threw while authorizing "private-broken"[\s\S]*the database is down/,
      );
    });

    it('403 invalid_channel for a bad or public channel name', async () => {
      for (const channel_name of ['private-orders 7', 'orders.7', 'x'.repeat(201)]) {
        const response = await post(auth, { socket_id: SOCKET_ID, channel_name }, { headers: ann });
        expect([response.status, response.body.reason]).toEqual([403, 'invalid_channel']);
      }
    });

    it('403 invalid_socket_id', async () => {
      const response = await post(
        auth,
        { socket_id: 'nope', channel_name: 'private-orders.7' },
        { headers: ann },
      );
      expect([response.status, response.body.reason]).toEqual([403, 'invalid_socket_id']);
      const user = await post(userAuth, { socket_id: '1.2.3' }, { headers: ann });
      expect([user.status, user.body.reason]).toEqual([403, 'invalid_socket_id']);
    });

    it('400 when fields are missing, empty or the body is absent', async () => {
      const noChannel = await post(auth, { socket_id: SOCKET_ID }, { headers: ann });
      expect([noChannel.status, noChannel.body.reason]).toEqual([400, 'missing_fields']);
      expect(noChannel.body.error).toMatch(/Missing channel_name/);
      const json = await post(
        auth,
        { socket_id: '', channel_name: '' },
        { headers: ann, json: true },
      );
      expect(json.status).toBe(400);
      const bare = await fetch(auth, { method: 'POST', headers: ann });
      seen.push(await bare.text());
      expect(bare.status).toBe(400);
      const user = await post(userAuth, {}, { headers: ann });
      expect(user.status).toBe(400);
    });

    it("passes a guard's own HTTP error through (401 from an expired token)", async () => {
      const response = await post(
        auth,
        { socket_id: SOCKET_ID, channel_name: 'private-orders.7' },
        { headers: { authorization: 'Bearer expired' } },
      );
      expect(response.status).toBe(401);
      expect(response.body.message).toBe('Token expired');
    });

    it('never puts the app secret in a response or a log line', () => {
      expect(seen.length).toBeGreaterThan(10);
      expect(server.logs.some((line) => line.startsWith('log Denied (no_matching_pattern)'))).toBe(
        true,
      );
      for (const text of [...seen, ...server.logs]) expect(text).not.toContain(SECRET);
    });
  });
});

describe.each(ADAPTERS)('auth endpoint options on %s', (adapter) => {
  const apps: AuthApp[] = [];
  async function start(options: Parameters<typeof createAuthApp>[0]): Promise<AuthApp> {
    const app = await createAuthApp({ adapter, providers: CHANNEL_PROVIDERS, ...options });
    apps.push(app);
    return app;
  }
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  it('hides reasons and messages when exposeDenialReasons is false', async () => {
    const { url } = await start({
      auth: { exposeDenialReasons: false, resolveUser: () => ({ id: 2 }) },
    });
    const denied = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect([denied.status, denied.text]).toEqual([403, '{"error":"Forbidden"}']);
    const missing = await postAuth(`${url}/broadcasting/auth`, { socket_id: SOCKET_ID });
    expect([missing.status, missing.text]).toEqual([400, '{"error":"Bad Request"}']);
  });

  it('hides reasons by default when NODE_ENV is production', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const { url } = await start({ auth: { resolveUser: () => ({ id: 1 }) } });
      const denied = await postAuth(`${url}/broadcasting/auth`, {
        socket_id: SOCKET_ID,
        channel_name: 'private-nope',
      });
      expect([denied.status, denied.body]).toEqual([403, { error: 'Forbidden' }]);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('takes the user from resolveUser(req), which may be async', async () => {
    const { url } = await start({
      auth: {
        resolveUser: async (req) =>
          req.headers['x-user-id'] ? { id: Number(req.headers['x-user-id']) } : null,
      },
    });
    const granted = await postAuth(
      `${url}/broadcasting/auth`,
      { socket_id: SOCKET_ID, channel_name: 'private-orders.7' },
      { headers: { 'x-user-id': '1' } },
    );
    expect(granted.text).toBe(JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7')));
    const guest = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect(guest.body.reason).toBe('unauthenticated');
  });

  it('uses presenceUserId and resolveUserData', async () => {
    const { url } = await start({
      auth: {
        resolveUser: () => ({ id: 1, uuid: 'u-1', name: 'Ann' }),
        presenceUserId: (user) => user.uuid,
        resolveUserData: (user) => ({ id: user.uuid, user_info: { name: user.name } }),
      },
    });
    const presence = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'presence-chat.lobby',
    });
    expect(presence.text).toBe(
      JSON.stringify(
        sdk.authorizeChannel(SOCKET_ID, 'presence-chat.lobby', {
          user_id: 'u-1',
          user_info: { name: 'Ann' },
        }),
      ),
    );
    const user = await postAuth(`${url}/broadcasting/user-auth`, { socket_id: SOCKET_ID });
    expect(user.text).toBe(
      JSON.stringify(sdk.authenticateUser(SOCKET_ID, { id: 'u-1', user_info: { name: 'Ann' } })),
    );
  });

  it('mounts at the configured paths, outside any global prefix', async () => {
    const { url } = await start({
      config: { authEndpoint: '/api/ws/auth', userAuthEndpoint: '/api/ws/user' },
      auth: { resolveUser: () => ({ id: 1 }) },
    });
    const granted = await postAuth(`${url}/api/ws/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect(granted.status).toBe(200);
    const user = await postAuth(`${url}/api/ws/user`, { socket_id: SOCKET_ID });
    expect(user.status).toBe(200);
    const old = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect(old.status).toBe(404);
  });

  it('mounts at paths known only after DI (forRootAsync)', async () => {
    const { url } = await start({
      async: true,
      config: { authEndpoint: '/late/auth', userAuthEndpoint: '/late/user-auth' },
      auth: { resolveUser: () => ({ id: 1 }) },
    });
    const granted = await postAuth(`${url}/late/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect(granted.text).toBe(JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7')));
    expect((await postAuth(`${url}/late/user-auth`, { socket_id: SOCKET_ID })).status).toBe(200);
  });

  it('mounts at BROADCASTING_AUTH_ENDPOINT / BROADCASTING_USER_AUTH_ENDPOINT', async () => {
    process.env.BROADCASTING_AUTH_ENDPOINT = '/env/auth';
    process.env.BROADCASTING_USER_AUTH_ENDPOINT = '/env/user-auth';
    try {
      const { url } = await start({ auth: { resolveUser: () => ({ id: 1 }) } });
      const fields = { socket_id: SOCKET_ID, channel_name: 'private-orders.7' };
      expect((await postAuth(`${url}/env/auth`, fields)).status).toBe(200);
      expect((await postAuth(`${url}/env/user-auth`, { socket_id: SOCKET_ID })).status).toBe(200);
    } finally {
      delete process.env.BROADCASTING_AUTH_ENDPOINT;
      delete process.env.BROADCASTING_USER_AUTH_ENDPOINT;
    }
  });

  it('works when BroadcastModule is not global', async () => {
    const { url, app } = await start({
      async: true,
      config: { global: false },
      auth: { resolveUser: () => ({ id: 1 }) },
    });
    const granted = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect(granted.text).toBe(JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7')));
    expect(app.get(ChannelAuthorizer)).toBeInstanceOf(ChannelAuthorizer);
  });

  it("is left alone by the app's global prefix and global interceptors", async () => {
    const { url } = await start({
      controllers: [PingController],
      providers: [
        ...CHANNEL_PROVIDERS,
        { provide: APP_INTERCEPTOR, useClass: WrapInDataInterceptor },
      ],
      configure: (app) => app.setGlobalPrefix('api'),
      auth: { resolveUser: () => ({ id: 1 }) },
    });
    const ping = await postAuth(`${url}/api/ping`, {});
    expect(ping.body).toEqual({ data: { pong: true } });
    const granted = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect(granted.text).toBe(JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7')));
  });

  it('mounts nothing when disabled', async () => {
    const { url, app } = await start({ auth: { enabled: false, resolveUser: () => ({ id: 1 }) } });
    const response = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect(response.status).toBe(404);
    expect((await postAuth(`${url}/broadcasting/user-auth`, { socket_id: SOCKET_ID })).status).toBe(
      404,
    );
    expect(app).toBeDefined();
  });

  it('runs guard classes that are not providers, and guard instances, in order', async () => {
    const calls: string[] = [];
    const { url } = await start({
      auth: {
        guards: [RequireHeaderGuard, { canActivate: () => (calls.push('instance'), true) }],
        resolveUser: () => ({ id: 1 }),
      },
    });
    const refused = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-orders.7',
    });
    expect([refused.status, refused.body.reason]).toEqual([403, 'unauthenticated']);
    expect(refused.body.error).toMatch(/A guard in auth\.guards refused/);
    expect(calls).toEqual([]);
    const allowed = await postAuth(
      `${url}/broadcasting/auth`,
      { socket_id: SOCKET_ID, channel_name: 'private-orders.7' },
      { headers: { 'x-allow': 'yes' } },
    );
    expect(allowed.status).toBe(200);
    expect(calls).toEqual(['instance']);
  });

  it('fails at boot when a guard class cannot be built, naming it', async () => {
    const error = await start({ auth: { guards: [UnbuildableGuard] } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/auth\.guards: cannot create UnbuildableGuard/);
  });

  it('answers 500 with a hint when the encryption master key is missing', async () => {
    const { url, logs } = await start({
      config: { encryptionMasterKey: undefined },
      auth: { resolveUser: () => ({ id: 1 }) },
    });
    const response = await postAuth(`${url}/broadcasting/auth`, {
      socket_id: SOCKET_ID,
      channel_name: 'private-encrypted-vault.1',
    });
    expect(response.status).toBe(500);
    expect(response.body.error).toMatch(/BROADCASTING_ENCRYPTION_MASTER_KEY/);
    expect(logs.join('\n')).toMatch(/error .*BROADCASTING_ENCRYPTION_MASTER_KEY/);
  });
});

describe('auth endpoints without Nest body parsing (express, bodyParser: false)', () => {
  let server: AuthApp;
  beforeAll(async () => {
    server = await createAuthApp({
      providers: CHANNEL_PROVIDERS,
      bodyParser: false,
      auth: { resolveUser: () => ({ id: 1 }) },
    });
  });
  afterAll(() => server?.close());

  it('reads form-encoded and JSON bodies itself', async () => {
    const expected = JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7'));
    const fields = { socket_id: SOCKET_ID, channel_name: 'private-orders.7' };
    expect((await postAuth(`${server.url}/broadcasting/auth`, fields)).text).toBe(expected);
    expect((await postAuth(`${server.url}/broadcasting/auth`, fields, { json: true })).text).toBe(
      expected,
    );
  });
});

describe('oversized auth request bodies', () => {
  const fields = { socket_id: SOCKET_ID, channel_name: 'private-orders.7' };
  /** A form body with the real fields after `padding` bytes of an extra param. */
  const paddedForm = (padding: number) =>
    new URLSearchParams({ pad: 'x'.repeat(padding), ...fields }).toString();
  const post = async (url: string, body: string | ReadableStream<Uint8Array>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    } as RequestInit);
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
  };
  const chunked = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    return new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096));
        controller.close();
      },
    });
  };

  describe('express, bodyParser: false (the endpoint reads the stream itself)', () => {
    let server: AuthApp;
    beforeAll(async () => {
      server = await createAuthApp({
        providers: CHANNEL_PROVIDERS,
        bodyParser: false,
        auth: { resolveUser: () => ({ id: 1 }) },
      });
    });
    afterAll(() => server?.close());

    it('authorizes a body just under 16 KB', async () => {
      const response = await post(`${server.url}/broadcasting/auth`, paddedForm(15_000));
      expect(response.status).toBe(200);
      expect(response.text).toBe(
        JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7')),
      );
    });

    it('answers 413 with a JSON error when Content-Length is over 16 KB', async () => {
      const response = await post(`${server.url}/broadcasting/auth`, paddedForm(20_000));
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ statusCode: 413 });
      expect(response.body.message).toMatch(/auth request body is larger than 16384 bytes/);
    });

    it('answers 413 for a chunked body (no Content-Length) once it passes 16 KB', async () => {
      const response = await post(`${server.url}/broadcasting/auth`, chunked(paddedForm(40_000)));
      expect(response.status).toBe(413);
      expect(response.body.message).toMatch(/larger than 16384 bytes/);
      // The connection still serves the next request normally.
      const next = await postAuth(`${server.url}/broadcasting/auth`, fields);
      expect(next.status).toBe(200);
    });
  });

  it("express with Nest's body parser (100 KB limit) answers its own 413 JSON", async () => {
    const server = await createAuthApp({
      providers: CHANNEL_PROVIDERS,
      auth: { resolveUser: () => ({ id: 1 }) },
    });
    try {
      const response = await post(`${server.url}/broadcasting/auth`, paddedForm(200_000));
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ statusCode: 413 });
    } finally {
      await server.close();
    }
  });

  describe('fastify (parses bodies itself, up to its bodyLimit of 1 MiB)', () => {
    let server: AuthApp;
    beforeAll(async () => {
      server = await createAuthApp({
        adapter: 'fastify',
        providers: CHANNEL_PROVIDERS,
        auth: { resolveUser: () => ({ id: 1 }) },
      });
    });
    afterAll(() => server?.close());

    it('authorizes a 20 KB body it parsed (the 16 KB stream cap does not apply)', async () => {
      const response = await post(`${server.url}/broadcasting/auth`, paddedForm(20_000));
      expect(response.status).toBe(200);
      expect(response.text).toBe(
        JSON.stringify(sdk.authorizeChannel(SOCKET_ID, 'private-orders.7')),
      );
    });

    it("refuses a body over its bodyLimit with Fastify's own 413 JSON", async () => {
      const response = await post(`${server.url}/broadcasting/auth`, paddedForm(1_100_000));
      expect(response.status).toBe(413);
      expect(response.body).toEqual({ statusCode: 413, message: 'Request body is too large' });
    });
  });
});
