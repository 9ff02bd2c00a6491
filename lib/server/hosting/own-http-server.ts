import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { BroadcastConfigError, type ConfigSource } from '../../errors/broadcast.exception.js';
import type { BroadcastServerRuntime } from './broadcast-server-runtime.js';
import { UPGRADE_NOT_FOUND } from './broadcast-server.constants.js';
import { HostingMessages, type ListenSetting } from './hosting-messages.js';
import type { TlsCredentials } from './tls-credentials.js';

const NOT_FOUND = JSON.stringify({ error: HostingMessages.notFound() });

/**
 * An HTTP server of the broadcast server's own (standalone, bin, or a Nest app's separate
 * port), listening once `listen` resolves.
 */
export interface OwnHttpServer {
  server: Server;
  host: string;
  port: number;
  /** `http://host:port`, or `https://` with TLS. */
  url: string;
  /** Stops taking new connections; open ones (WebSockets included) stay until close(). */
  stopAccepting(): void;
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
  tls?: TlsCredentials,
): Promise<OwnHttpServer> {
  const onRequest: RequestListener = (req, res) => {
    if (runtime.handleRequest(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(NOT_FOUND);
  };
  // https.Server is an http.Server underneath: the same listeners serve wss:// and https://.
  const server: Server = tls ? createTlsServer(tls, onRequest) : createServer(onRequest);
  server.on('upgrade', (req, socket, head) => {
    if (runtime.handleUpgrade(req, socket, head)) return;
    socket.end(UPGRADE_NOT_FOUND);
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
  let closed: Promise<void> | undefined;
  const stopAccepting = () => {
    closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    server,
    host: address.address,
    port: address.port,
    url: `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
    stopAccepting,
    // The runtime has closed the WebSockets by then; end keep-alive HTTP connections too.
    close: () =>
      (closing ??= (async () => {
        stopAccepting();
        server.closeAllConnections();
        await closed;
      })()),
  };
}

const SETTINGS = {
  host: { key: 'server.host', option: 'host', env: 'BROADCASTING_SERVER_HOST' },
  port: { key: 'server.port', option: 'port', env: 'BROADCASTING_SERVER_PORT' },
} as const satisfies Record<string, ListenSetting>;

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
  let setting: 'host' | 'port' | undefined;
  let reason: string;
  switch (error.code) {
    case 'EADDRINUSE':
      setting = 'port';
      reason = HostingMessages.portInUse(host, port);
      break;
    case 'EACCES':
      setting = 'port';
      reason = HostingMessages.portPrivileged(port);
      break;
    case 'EADDRNOTAVAIL':
      setting = 'host';
      reason = HostingMessages.hostNotLocal(host);
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      setting = 'host';
      reason = HostingMessages.hostUnresolvable(host);
      break;
    default:
      reason = error.message;
  }
  if (!setting) {
    return new BroadcastConfigError(
      HostingMessages.cannotListenUnknown(
        host,
        port,
        reason,
        HostingMessages.whereToFix(SETTINGS.host, origin.host),
        HostingMessages.whereToFix(SETTINGS.port, origin.port),
      ),
      SETTINGS.port.key,
      origin.port,
    );
  }
  return new BroadcastConfigError(
    HostingMessages.cannotListen(
      host,
      port,
      reason,
      HostingMessages.whereToFix(SETTINGS[setting], origin[setting]),
    ),
    SETTINGS[setting].key,
    origin[setting],
  );
}
