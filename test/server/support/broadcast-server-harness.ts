import PusherServer from 'pusher';
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import {
  md5Hex,
  signChannel,
  signHttpRequest,
  signUser,
} from '../../../lib/shared/pusher-protocol/signatures.js';
import type { ServerAppOptions } from '../../../lib/server/options/server-options.interface.js';
import {
  startBroadcastServer,
  type BroadcastServerHandle,
  type StartBroadcastServerOptions,
} from '../../../lib/server/hosting/start-broadcast-server.js';
import { localPusherOptions, Pusher, type PusherClient } from './engine-harness.js';
import type { ServerLogger } from '../../../lib/shared/logger.js';

/** Polls `check` (sync or async) every 10 ms until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 3000,
  what = 'condition',
): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | 0 | '' | null | undefined>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const HTTP_APP: ServerAppOptions = {
  id: 'http-app',
  key: 'http-key',
  secret: 'http-secret',
};

/** A unique Redis channel prefix per test file (the Redis server is shared). */
export function uniquePrefix(name: string): string {
  return `test-${process.pid}-${randomBytes(4).toString('hex')}-${name}:`;
}

/**
 * startBroadcastServer on 127.0.0.1 port 0, silent, with nothing from the environment: one
 * test app, no local hub and no Redis unless the test asks.
 */
export function startTestServer(
  options: StartBroadcastServerOptions = {},
): Promise<BroadcastServerHandle> {
  return startBroadcastServer({
    apps: [HTTP_APP],
    host: '127.0.0.1',
    port: 0,
    logger: false,
    localHub: false,
    redis: false,
    ...options,
  });
}

/** A logger that keeps warnings and errors in `lines` (and drops the rest). */
export function recordingLogger(lines: string[]): ServerLogger {
  return { log() {}, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

export interface TestServers {
  /** The server `start` started for the running test. */
  readonly server: BroadcastServerHandle;
  /** startTestServer with these options; call it in beforeEach or in a test. */
  start(options?: StartBroadcastServerOptions): Promise<BroadcastServerHandle>;
  /** pusher-js on the running test's server (see {@link clientFor}). */
  client(opts?: Parameters<typeof clientFor>[1]): PusherClient;
}

/**
 * The per-test setup the HTTP and e2e specs share: after each test, every client made with
 * `client()` disconnects and the server `start` started closes.
 */
export function useTestServers(): TestServers {
  const clients: PusherClient[] = [];
  let current: BroadcastServerHandle | undefined;
  const servers: TestServers = {
    get server() {
      if (!current) throw new Error('call start() first (in beforeEach or the test)');
      return current;
    },
    async start(options) {
      current = await startTestServer(options);
      return current;
    },
    client(opts) {
      const client = clientFor(servers.server, opts);
      clients.push(client);
      return client;
    },
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await current?.close();
    current = undefined;
  });
  return servers;
}

/** The official `pusher` server SDK pointed at the server's HTTP API. */
export function serverSdk(
  handle: { port: number },
  app: ServerAppOptions = HTTP_APP,
): PusherServer {
  return new PusherServer({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(handle.port),
    useTLS: false,
  });
}

/**
 * pusher-js 8 from Node connected to the server. Channel authorization and user sign-in are
 * signed in-process with the app secret, as a correct auth endpoint would.
 */
export function clientFor(
  handle: { port: number },
  opts: { app?: ServerAppOptions; user?: { id: string; info?: unknown } } = {},
): PusherClient {
  const app = opts.app ?? HTTP_APP;
  return new Pusher(app.key, {
    ...localPusherOptions(handle.port),
    channelAuthorization: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) => {
        if (channelName.startsWith('presence-')) {
          const data = JSON.stringify({
            user_id: opts.user?.id ?? 'anonymous',
            user_info: opts.user?.info ?? {},
          });
          callback(null, {
            auth: signChannel(app.key, app.secret, socketId, channelName, data),
            channel_data: data,
          });
        } else callback(null, { auth: signChannel(app.key, app.secret, socketId, channelName) });
      },
    },
    userAuthentication: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId }, callback) => {
        const json = JSON.stringify({ id: opts.user?.id ?? 'anonymous' });
        callback(null, { auth: signUser(app.key, app.secret, socketId, json), user_data: json });
      },
    },
  });
}

/** Resolves with the socket id once the client is connected. */
export function connected(client: PusherClient): Promise<string> {
  return new Promise((resolve, reject) => {
    if (client.connection.state === 'connected') return resolve(client.connection.socket_id);
    const timer = setTimeout(() => reject(new Error('pusher-js did not connect')), 5000);
    client.connection.bind('connected', () => {
      clearTimeout(timer);
      resolve(client.connection.socket_id);
    });
  });
}

/** Subscribes and resolves once the server confirmed; rejects on subscription_error. */
export function subscribed(client: PusherClient, name: string) {
  const channel = client.subscribe(name);
  return new Promise<typeof channel>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no subscription answer on ${name}`)), 5000);
    channel.bind('pusher:subscription_succeeded', () => {
      clearTimeout(timer);
      resolve(channel);
    });
    channel.bind('pusher:subscription_error', (error: unknown) => {
      clearTimeout(timer);
      reject(new Error(`subscription_error on ${name}: ${JSON.stringify(error)}`));
    });
  });
}

/** Records every `event` on the channel (data as pusher-js parsed it). */
export function record(
  channel: { bind(event: string, cb: (data: unknown) => void): unknown },
  event: string,
) {
  const received: unknown[] = [];
  channel.bind(event, (data: unknown) => received.push(data));
  return received;
}

/**
 * A sender and another client, both subscribed to `channel`, each recording `event`: the
 * setup of every "excludes the sender's socket" test.
 */
export async function senderAndOther(client: () => PusherClient, channel: string, event: string) {
  const sender = client();
  const other = client();
  const [senderChannel, otherChannel] = await Promise.all([
    subscribed(sender, channel),
    subscribed(other, channel),
  ]);
  return {
    sender,
    other,
    senderGot: record(senderChannel, event),
    otherGot: record(otherChannel, event),
  };
}

/**
 * A raw HTTP API request signed by Pusher's rules, for the cases the SDK refuses to send
 * (bad names, stale timestamps, wrong secrets). `tamper` adjusts the query after signing.
 */
export async function signedFetch(
  handle: { url: string },
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  opts: {
    body?: string;
    params?: Record<string, string>;
    app?: ServerAppOptions;
    secret?: string;
    timestamp?: number;
    tamper?: (query: Record<string, string>) => void;
  } = {},
): Promise<{ status: number; body: any }> {
  const app = opts.app ?? HTTP_APP;
  const query: Record<string, string> = {
    auth_key: app.key,
    auth_timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...(opts.body !== undefined ? { body_md5: md5Hex(opts.body) } : {}),
    ...opts.params,
  };
  query.auth_signature = signHttpRequest(opts.secret ?? app.secret, method, path, query);
  opts.tamper?.(query);
  const search = new URLSearchParams(query).toString();
  const res = await fetch(`${handle.url}${path}?${search}`, {
    method,
    body: opts.body,
    headers: opts.body !== undefined ? { 'content-type': 'application/json' } : {},
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body };
}

/** The status and body of a pusher SDK request that failed (its RequestError). */
export async function sdkFailure(
  request: Promise<unknown>,
): Promise<{ status: number; body: string }> {
  try {
    await request;
  } catch (error) {
    const e = error as { status?: number; body?: string };
    return { status: e.status ?? 0, body: e.body ?? '' };
  }
  throw new Error('expected the request to fail');
}
