import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BroadcastConfigError, type ConfigSource } from '../../errors/broadcast.exception.js';
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

/** Where the host and the port came from, when the caller knows, so the error names it. */
export interface ListenOrigin {
  host?: ConfigSource;
  port?: ConfigSource;
}

export async function listenOwnHttpServer(
  runtime: BroadcastServerRuntime,
  host: string,
  port: number,
  origin: ListenOrigin = {},
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
      reject(listenError(error, host, port, origin));
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

const SETTINGS = {
  host: { key: 'server.host', option: 'host', env: 'BROADCASTING_SERVER_HOST' },
  port: { key: 'server.port', option: 'port', env: 'BROADCASTING_SERVER_PORT' },
} as const;

/** Where a setting is changed: the one place it came from when known, else all of them. */
function whereToFix(setting: 'host' | 'port', source: ConfigSource | undefined): string {
  const { key, option, env } = SETTINGS[setting];
  switch (source) {
    case 'option':
      return `it came from the "${option}" option: change that option`;
    case 'file':
      return `it came from "${key}" in the config file: change it there`;
    case 'env':
      return `it came from ${env}: change that variable`;
    case 'default':
      return `it is the default: set the "${option}" option, "${key}" in the config file or ${env}`;
    default:
      return `set it with the "${option}" option, "${key}" in the config file or ${env}`;
  }
}

/**
 * Names what failed: the port (in use, or privileged) or the host (not an address of this
 * machine, or not resolvable), and where that value came from.
 */
function listenError(
  error: NodeJS.ErrnoException,
  host: string,
  port: number,
  origin: ListenOrigin,
): BroadcastConfigError {
  const prefix = `The broadcast server cannot listen on ${host}:${port}: `;
  let setting: 'host' | 'port' | undefined;
  let reason: string;
  switch (error.code) {
    case 'EADDRINUSE':
      setting = 'port';
      reason = `port ${port} is already in use on ${host} (pick a free port, or 0 for a random one)`;
      break;
    case 'EACCES':
      setting = 'port';
      reason = `no permission to listen on port ${port} (ports below 1024 need privileges)`;
      break;
    case 'EADDRNOTAVAIL':
      setting = 'host';
      reason = `host ${host} is not an address of this machine`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      setting = 'host';
      reason = `host ${host} does not resolve to an address`;
      break;
    default:
      reason = error.message;
  }
  if (!setting) {
    return new BroadcastConfigError(
      `${prefix}${reason}. Check the host (${whereToFix('host', origin.host)}) ` +
        `and the port (${whereToFix('port', origin.port)}).`,
      SETTINGS.port.key,
      origin.port,
    );
  }
  return new BroadcastConfigError(
    `${prefix}${reason}; ${whereToFix(setting, origin[setting])}.`,
    SETTINGS[setting].key,
    origin[setting],
  );
}
