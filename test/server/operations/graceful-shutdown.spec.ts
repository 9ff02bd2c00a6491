import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Test } from '@nestjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BroadcastServerModule } from 'nestjs-broadcasting/server';
import type { ServerLogger } from '../../../lib/shared/logger.js';
import { RawClient } from '../support/engine-harness.js';
import { HTTP_APP, startTestServer, waitFor } from '../support/broadcast-server-harness.js';
import { buildPackage, removePackage } from '../support/built-package.js';
import { killBins, runBin } from '../support/bin-process.js';

/**
 * A WebSocket client that completes the handshake and then never answers again, not even
 * the server's close frame: the kind of client only the shutdown grace can get rid of.
 */
async function stuckClient(port: number, appKey: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET /app/${appKey}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  await waitFor(() => received.includes('connection_established'), 10_000, 'the handshake');
  return socket;
}

const closed = (socket: Socket) =>
  new Promise<void>((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
  });

/** Keeps every line, at every level, with its level. */
function capture(lines: string[]): ServerLogger {
  return {
    log: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
}

describe('shutting down within shutdownGraceSeconds (startBroadcastServer)', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  it('closes clients with 4200, takes no new ones, and cuts the stuck one at the grace', async () => {
    const lines: string[] = [];
    const server = await startTestServer({ shutdownGraceSeconds: 1, logger: capture(lines) });
    const url = `ws://127.0.0.1:${server.port}/app/${HTTP_APP.key}?protocol=7`;
    const polite = await RawClient.connect(url);
    const stuck = await stuckClient(server.port, HTTP_APP.key);
    sockets.push(stuck);

    const closing = server.close();
    expect(await polite.closed()).toBe(4200);
    const late = await RawClient.connect(url, { established: false });
    expect(await late.closed()).toBe(1006); // refused: nothing listens any more

    await closing;
    await closed(stuck);
    expect(lines).toContain(
      'info Broadcast server stopping: no new connections; closing 2 connections with 4200 ' +
        'so clients reconnect elsewhere (grace 1 s).',
    );
    expect(lines).toContain(
      'info Broadcast server stopped; cut 1 connection that had not closed within the grace of 1 s.',
    );
  });

  it('stops at once when every client answers, without waiting for the grace', async () => {
    const lines: string[] = [];
    const server = await startTestServer({ shutdownGraceSeconds: 600, logger: capture(lines) });
    const client = await RawClient.connect(
      `ws://127.0.0.1:${server.port}/app/${HTTP_APP.key}?protocol=7`,
    );
    // Were the grace waited out, this would hang for 10 minutes and the test time out.
    await server.close();
    expect(client.closeCode).toBe(4200);
    expect(lines).toContain('info Broadcast server stopped.');
  });
});

describe('shutting down a server inside a Nest app', () => {
  it('answers GET /up with 503 while its sockets close, so a load balancer takes it out', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BroadcastServerModule.forRoot({
          apps: [HTTP_APP],
          // Long enough for any load; the stuck client is let go once /up has answered.
          shutdownGraceSeconds: 120,
          localHub: false,
          redis: false,
          logger: false,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as { port: number }).port;
    const stuck = await stuckClient(port, HTTP_APP.key);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/up`)).status).toBe(200);
      const closing = app.close();
      // The app's server listens until the broadcast server is done: /up says it is going.
      const response = await fetch(`http://127.0.0.1:${port}/up`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'stopping' });
      stuck.destroy();
      await closing;
    } finally {
      stuck.destroy();
    }
  });
});

describe('the bin on SIGTERM', () => {
  let pkg: string;
  beforeAll(() => {
    pkg = buildPackage('shutdown');
  }, 120_000);
  afterAll(() => removePackage(pkg));
  afterEach(() => killBins());

  it('closes clients with 4200 and exits 0 within --shutdown-grace, cutting a stuck client', async () => {
    const bin = runBin(pkg, ['serve', '--shutdown-grace', '2'], {
      BROADCASTING_APP_ID: HTTP_APP.id,
      BROADCASTING_APP_KEY: HTTP_APP.key,
      BROADCASTING_APP_SECRET: HTTP_APP.secret,
      BROADCASTING_SERVER_HOST: '127.0.0.1',
      BROADCASTING_SERVER_PORT: '0',
    });
    const { port } = await bin.listening();
    const polite = await RawClient.connect(`ws://127.0.0.1:${port}/app/${HTTP_APP.key}?protocol=7`);
    const stuck = await stuckClient(port, HTTP_APP.key);
    try {
      bin.child.kill('SIGTERM');
      expect(await polite.closed()).toBe(4200);
      expect(await bin.exit).toBe(0);
      const stdout = bin.out.join('');
      expect(stdout).toContain('SIGTERM received: shutting down.');
      expect(stdout).toContain(
        'Broadcast server stopped; cut 1 connection that had not closed within the grace of 2 s.',
      );
    } finally {
      stuck.destroy();
    }
  }, 60_000);

  it('takes the grace from BROADCASTING_SHUTDOWN_GRACE_SECONDS', async () => {
    const bin = runBin(pkg, ['serve'], {
      BROADCASTING_APP_ID: HTTP_APP.id,
      BROADCASTING_APP_KEY: HTTP_APP.key,
      BROADCASTING_APP_SECRET: HTTP_APP.secret,
      BROADCASTING_SERVER_PORT: '0',
      BROADCASTING_SHUTDOWN_GRACE_SECONDS: '1',
    });
    await bin.listening();
    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(0);
    expect(bin.out.join('')).toContain('(grace 1 s)');
  }, 60_000);
});
