import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BroadcastConfigError } from '../../errors/broadcast.exception.js';
import type { BroadcastServerRuntime } from './broadcast-server-runtime.js';

const NOT_FOUND = JSON.stringify({
  error:
    'Not found. This broadcast server serves WebSockets on /app/{key}, the HTTP API under /apps/{id}/ and GET /up.',
});

/**
 * An HTTP server of the broadcast server's own (standalone, bin, or a Nest app's separate
 * port), listening once `listen` resolves.
 */
export interface OwnHttpServer {
  server: Server;
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function listenOwnHttpServer(
  runtime: BroadcastServerRuntime,
  host: string,
  port: number,
): Promise<OwnHttpServer> {
  const server = createServer((req, res) => {
    if (runtime.handleRequest(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(NOT_FOUND);
  });
  server.on('upgrade', (req, socket, head) => {
    if (runtime.handleUpgrade(req, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  // A socket that errors before the upgrade must not reach 'error' unhandled.
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use`
          : error.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine`
            : error.message;
      reject(
        new BroadcastConfigError(
          `The broadcast server cannot listen on ${host}:${port}: ${reason}. ` +
            `Set BROADCASTING_SERVER_HOST / BROADCASTING_SERVER_PORT or the host / port options.`,
          'server.port',
        ),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });

  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    host: address.address,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    // The runtime has closed the WebSockets by then; end keep-alive HTTP connections too.
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
