import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBroadcastConfig, BroadcastConfigError } from 'nestjs-broadcasting';
import {
  CloseCode,
  startBroadcastServer,
  type BroadcastServerHandle,
} from 'nestjs-broadcasting/server';
import { RawClient } from '../support/engine-harness.js';
import {
  HTTP_APP,
  record,
  serverSdk,
  startTestServer,
  subscribed,
  clientFor,
  waitFor,
} from '../support/broadcast-server-harness.js';

let server: BroadcastServerHandle | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startBroadcastServer', () => {
  it('takes its app, host and port from the BROADCASTING_* cascade', async () => {
    const env = {
      BROADCASTING_APP_ID: 'env-app',
      BROADCASTING_APP_KEY: 'env-key',
      BROADCASTING_APP_SECRET: 'env-secret',
      BROADCASTING_SERVER_HOST: '127.0.0.1',
      BROADCASTING_SERVER_PORT: '0',
    };
    const config = await resolveBroadcastConfig({}, { env, cwd: '/nonexistent' });
    server = await startBroadcastServer({ config, logger: false, localHub: false });

    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const app = { id: 'env-app', key: 'env-key', secret: 'env-secret' };
    const client = clientFor(server, { app });
    try {
      const got = record(await subscribed(client, 'env-channel'), 'hello');
      await serverSdk(server, app).trigger('env-channel', 'hello', { from: 'env' });
      await waitFor(() => got.length === 1);
      expect(got).toEqual([{ from: 'env' }]);
    } finally {
      client.disconnect();
    }
  });

  it('lets options win over the cascade', async () => {
    const config = await resolveBroadcastConfig(
      {},
      {
        env: {
          BROADCASTING_SERVER_PORT: '1',
          BROADCASTING_APP_ID: 'a',
          BROADCASTING_APP_KEY: 'b',
          BROADCASTING_APP_SECRET: 'c',
        },
        cwd: '/nonexistent',
      },
    );
    server = await startBroadcastServer({
      config,
      port: 0,
      apps: [HTTP_APP],
      logger: false,
      localHub: false,
    });
    expect(server.port).not.toBe(1);
    expect(server.engine.apps.byId('http-app')).toBeDefined();
    expect(server.engine.apps.byId('a')).toBeUndefined();
  });

  it('fails with a BroadcastConfigError naming the key when no app is configured', async () => {
    const config = await resolveBroadcastConfig({}, { env: {}, cwd: '/nonexistent' });
    await expect(startBroadcastServer({ config, port: 0, logger: false })).rejects.toThrow(
      /BROADCASTING_APP_ID/,
    );
  });

  it('fails with a clear error when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const failure = startTestServer({ port });
      await expect(failure).rejects.toBeInstanceOf(BroadcastConfigError);
      await expect(failure).rejects.toThrow(
        new RegExp(`port ${port} is already in use on 127\\.0\\.0\\.1`),
      );
      await expect(failure).rejects.toMatchObject({ key: 'server.port' });
      // The port was passed as an option, so the message points at that option alone.
      await expect(failure).rejects.toThrow('it came from the "port" option');
    } finally {
      blocker.close();
    }
  });

  it('names BROADCASTING_SERVER_PORT when the taken port came from the environment', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const env = {
        BROADCASTING_SERVER_PORT: String(port),
        BROADCASTING_APP_ID: 'a',
        BROADCASTING_APP_KEY: 'k',
        BROADCASTING_APP_SECRET: 's',
      };
      const config = await resolveBroadcastConfig({}, { env, cwd: '/nonexistent' });
      const failure = startBroadcastServer({ config, logger: false, localHub: false });
      await expect(failure).rejects.toThrow('it came from BROADCASTING_SERVER_PORT');
    } finally {
      blocker.close();
    }
  });

  it('logs where it listens', async () => {
    const lines: string[] = [];
    server = await startTestServer({
      logger: { log: (m) => lines.push(m), warn() {}, error() {} },
    });
    expect(lines).toEqual([expect.stringContaining(`listening on ${server.url}`)]);
  });

  it('close() closes every socket with 4200 and stops listening; calling it twice is harmless', async () => {
    server = await startTestServer();
    const raw = await RawClient.connect(
      `ws://127.0.0.1:${server.port}/app/${HTTP_APP.key}?protocol=7`,
    );
    const url = server.url;

    await Promise.all([server.close(), server.close()]);

    expect(await raw.closed()).toBe(CloseCode.SERVER_CLOSING);
    await expect(fetch(`${url}/up`)).rejects.toThrow();
    server = undefined;
  });

  it('close() cuts a client that never answers the closing handshake after a short grace', async () => {
    server = await startTestServer();
    const raw = await RawClient.connect(
      `ws://127.0.0.1:${server.port}/app/${HTTP_APP.key}?protocol=7`,
    );
    // A frozen client: it reads nothing, so it never answers the server's close frame.
    (raw.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const started = Date.now();
    await server.close();
    server = undefined;
    // The grace is 1 s; ws alone would wait 30 s. 15 s tells them apart on a busy machine.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('answers 404 for paths that are neither the API nor /app/{key}', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/elsewhere`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/\/app\/\{key\}/);
  });
});
