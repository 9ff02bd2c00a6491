import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BroadcastConfigError } from '../../errors/broadcast.exception.js';
import type { BroadcastServerRuntime } from './broadcast-server-runtime.js';
import { listenOwnHttpServer, type ListenOrigin } from './own-http-server.js';

// listen() fails before any request, so the runtime is never called.
const runtime = {
  handleRequest: () => false,
  handleUpgrade: () => false,
} as unknown as BroadcastServerRuntime;

let blocker: Server;
let takenPort: number;
beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  takenPort = (blocker.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

async function listenError(host: string, port: number, origin?: ListenOrigin) {
  const error = await listenOwnHttpServer(runtime, host, port, origin).then(
    async (own) => {
      await own.close();
      throw new Error(`expected listening on ${host}:${port} to fail`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BroadcastConfigError);
  return error as BroadcastConfigError;
}

describe('listenOwnHttpServer errors', () => {
  it('a port in use blames the port and the option it came from', async () => {
    const error = await listenError('127.0.0.1', takenPort, { host: 'default', port: 'option' });
    expect(error.message).toContain(`port ${takenPort} is already in use on 127.0.0.1`);
    expect(error.message).toContain('it came from the "port" option');
    expect(error.message).not.toMatch(/BROADCASTING_SERVER_HOST|host option/);
    expect(error).toMatchObject({ key: 'server.port', source: 'option' });
  });

  it('a port from the environment names the variable', async () => {
    const error = await listenError('127.0.0.1', takenPort, { port: 'env' });
    expect(error.message).toContain('it came from BROADCASTING_SERVER_PORT');
    expect(error).toMatchObject({ key: 'server.port', source: 'env' });
  });

  it('a port of unknown origin lists the places to set it, not the host', async () => {
    const error = await listenError('127.0.0.1', takenPort);
    expect(error.message).toContain(
      'set it with the "port" option, "server.port" in the config file or BROADCASTING_SERVER_PORT',
    );
    expect(error.message).not.toContain('BROADCASTING_SERVER_HOST');
  });

  it('a host that is not an address of this machine blames the host', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
    const error = await listenError('192.0.2.1', 0, { host: 'file', port: 'default' });
    expect(error.message).toContain('host 192.0.2.1 is not an address of this machine');
    expect(error.message).toContain('it came from "server.host" in the config file');
    expect(error.message).not.toContain('BROADCASTING_SERVER_PORT');
    expect(error).toMatchObject({ key: 'server.host', source: 'file' });
  });

  it('a host name that does not resolve blames the host', async () => {
    const error = await listenError('no-such-host.invalid', 0, { host: 'env' });
    expect(error.message).toContain('host no-such-host.invalid does not resolve to an address');
    expect(error.message).toContain('it came from BROADCASTING_SERVER_HOST');
    expect(error).toMatchObject({ key: 'server.host', source: 'env' });
  });
});
