import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import PusherModule from 'pusher-js';
import WebSocket from 'ws';
import { afterEach } from 'vitest';
import { signChannel, signUser } from '../../../lib/shared/pusher-protocol/signatures.js';
import type { ServerAdapter } from '../../../lib/server/cluster/server-adapter.interface.js';
import { PusherServerEngine } from '../../../lib/server/engine/pusher-server-engine.js';
import { resolveServerOptions } from '../../../lib/server/options/resolve-server-options.js';
import type {
  BroadcastServerOptions,
  ServerAppOptions,
} from '../../../lib/server/options/server-options.interface.js';

// pusher-js is CommonJS: at runtime the default import is the class itself, while its types
// describe an ES module whose `default` is the class.
type PusherClass = typeof PusherModule.default;
export type PusherClient = InstanceType<PusherClass>;
export const Pusher = ((PusherModule as unknown as { default?: PusherClass }).default ??
  PusherModule) as unknown as PusherClass;

export const TEST_APP: ServerAppOptions = {
  id: 'engine-app',
  key: 'engine-key',
  secret: 'engine-secret',
};

export interface EngineHarness {
  engine: PusherServerEngine;
  server: Server;
  port: number;
  url(key?: string, query?: string): string;
  close(): Promise<void>;
}

/** The engine on a plain http server (port 0, 127.0.0.1), as the contract allows for tests. */
export async function startEngine(
  options: BroadcastServerOptions = {},
  adapter?: ServerAdapter,
): Promise<EngineHarness> {
  const resolved = resolveServerOptions({ apps: [TEST_APP], localHub: false, ...options });
  const engine = new PusherServerEngine(resolved, adapter);
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!engine.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    engine,
    server,
    port,
    url: (key = resolved.apps[0].key, query = 'protocol=7&client=js&version=8.6.0') =>
      `ws://127.0.0.1:${port}/app/${key}?${query}`,
    async close() {
      await engine.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface EngineUse {
  /** The engine `start` started for the running test. */
  readonly harness: EngineHarness;
  /** startEngine with these options; call it in beforeEach or in a test. */
  start(options?: BroadcastServerOptions, adapter?: ServerAdapter): Promise<EngineHarness>;
  /** pusher-js on the running test's engine (see {@link pusherClient}). */
  pusher(opts?: Parameters<typeof pusherClient>[1]): PusherClient;
}

/**
 * The per-test setup the protocol specs share: after each test, every pusher-js client made
 * with `pusher()` disconnects and the engine `start` started closes.
 */
export function useEngine(): EngineUse {
  const pushers: PusherClient[] = [];
  let current: EngineHarness | undefined;
  const use: EngineUse = {
    get harness() {
      if (!current) throw new Error('call start() first (in beforeEach or the test)');
      return current;
    },
    async start(options, adapter) {
      current = await startEngine(options, adapter);
      return current;
    },
    pusher(opts) {
      const client = pusherClient(use.harness, opts);
      pushers.push(client);
      return client;
    },
  };
  afterEach(async () => {
    for (const client of pushers.splice(0)) client.disconnect();
    await current?.close();
    current = undefined;
  });
  return use;
}

/** Polls until `check` returns a truthy value (short interval, bounded wait). */
export async function waitFor<T>(
  check: () => T | undefined | null | false | 0 | '',
  timeoutMs = 3000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Like {@link waitFor} for async checks (engine queries). */
export async function waitForAsync(
  check: () => Promise<boolean>,
  timeoutMs = 3000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Frame {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
}

/** A raw `ws` client that records every frame and its close code. */
export class RawClient {
  readonly frames: Frame[] = [];
  readonly texts: string[] = [];
  closeCode?: number;
  closeReason?: string;
  socketId?: string;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const text = raw.toString();
      this.texts.push(text);
      this.frames.push(JSON.parse(text));
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    ws.on('error', () => {});
  }

  /** Connects and, unless `established` is false, waits for connection_established. */
  static async connect(
    url: string,
    opts: { established?: boolean; headers?: Record<string, string>; ca?: Buffer } = {},
  ): Promise<RawClient> {
    const client = new RawClient(new WebSocket(url, { headers: opts.headers, ca: opts.ca }));
    if (opts.established === false) return client;
    const frame = await client.next('pusher:connection_established');
    client.socketId = JSON.parse(frame.data as string).socket_id;
    return client;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Waits for the first frame (after `from`) with this event (and channel). */
  async next(event: string, channel?: string, from = 0): Promise<Frame> {
    return waitFor(
      () =>
        this.frames
          .slice(from)
          .find((f) => f.event === event && (channel === undefined || f.channel === channel)),
      3000,
      `${event}${channel ? ` on ${channel}` : ''}`,
    );
  }

  all(event: string, channel?: string): Frame[] {
    return this.frames.filter(
      (f) => f.event === event && (channel === undefined || f.channel === channel),
    );
  }

  async closed(): Promise<number> {
    return waitFor(() => this.closeCode, 5000, 'close');
  }

  /** Sends `pusher:subscribe` (signing private/presence names with the test app) and waits. */
  async subscribe(channel: string, channelData?: object): Promise<Frame> {
    const from = this.frames.length;
    this.send({ event: 'pusher:subscribe', data: authFor(this.socketId!, channel, channelData) });
    return waitFor(
      () =>
        this.frames
          .slice(from)
          .find(
            (f) =>
              f.channel === channel &&
              (f.event === 'pusher_internal:subscription_succeeded' ||
                f.event === 'pusher:subscription_error'),
          ),
      3000,
      `subscription to ${channel}`,
    );
  }

  async signin(userData: object): Promise<Frame> {
    const json = JSON.stringify(userData);
    this.send({
      event: 'pusher:signin',
      data: {
        user_data: json,
        auth: signUser(TEST_APP.key, TEST_APP.secret, this.socketId!, json),
      },
    });
    return this.next('pusher:signin_success');
  }

  /**
   * Round-trips a ping, so every frame sent before it has been handled. Also returns when
   * the server closes the socket meanwhile (callers check `closeCode`).
   */
  async flush(): Promise<void> {
    const from = this.frames.length;
    this.send({ event: 'pusher:ping', data: {} });
    await waitFor(
      () =>
        this.closeCode !== undefined ||
        this.frames.slice(from).some((f) => f.event === 'pusher:pong'),
      3000,
      'pusher:pong',
    );
  }

  close(): void {
    this.ws.close();
  }
}

/** The `pusher:subscribe` data a correct auth endpoint would produce for the test app. */
export function authFor(socketId: string, channel: string, channelData?: object) {
  if (!channel.startsWith('private-') && !channel.startsWith('presence-')) return { channel };
  const data = channelData === undefined ? undefined : JSON.stringify(channelData);
  return {
    channel,
    auth: signChannel(TEST_APP.key, TEST_APP.secret, socketId, channel, data),
    ...(data === undefined ? {} : { channel_data: data }),
  };
}

/** The pusher-js (and Echo) options that point a client at a local server: ws only, no stats. */
export function localPusherOptions(port: number) {
  return {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws' as const],
    disableStats: true,
  };
}

/** pusher-js 8 from Node, pointed at the harness, signing channels in-process. */
export function pusherClient(
  harness: EngineHarness,
  opts: { userFor?: (channel: string) => object; userData?: object } = {},
): PusherClient {
  return new Pusher(TEST_APP.key, {
    ...localPusherOptions(harness.port),
    channelAuthorization: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: (
        { socketId, channelName }: { socketId: string; channelName: string },
        callback: (e: Error | null, d: any) => void,
      ) => {
        const user = channelName.startsWith('presence-') ? opts.userFor?.(channelName) : undefined;
        callback(null, authFor(socketId, channelName, user) as { auth: string });
      },
    },
    userAuthentication: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: (
        { socketId }: { socketId: string },
        callback: (e: Error | null, d: any) => void,
      ) => {
        const json = JSON.stringify(opts.userData ?? { id: 'user-1' });
        callback(null, {
          auth: signUser(TEST_APP.key, TEST_APP.secret, socketId, json),
          user_data: json,
        });
      },
    },
  });
}
