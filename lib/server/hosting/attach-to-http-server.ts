import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { BroadcastServerRuntime } from './broadcast-server-runtime.js';
import { UPGRADE_NOT_FOUND } from './broadcast-server.constants.js';

type RequestListener = (this: Server, req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves the broadcast server on an existing HTTP server (a Nest app's, Express or Fastify).
 * The server's own `request` listeners are wrapped so `/up` and `/apps/{id}/...` of the apps
 * served here are answered before the framework sees them (no pipes, guards or interceptors
 * on the publish path); every other request, `/apps/...` of other ids included, reaches the
 * framework untouched. `/app/{key}` upgrades become WebSockets; other upgrades are left to
 * the app's own gateways. Returns the detach function.
 */
export function attachToHttpServer(server: Server, runtime: BroadcastServerRuntime): () => void {
  const frameworkListeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const front: RequestListener = function (req, res) {
    if (runtime.handleRequest(req, res, true)) return;
    for (const listener of frameworkListeners) listener.call(this, req, res);
  };
  server.on('request', front);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (runtime.handleUpgrade(req, socket, head)) return;
    // Alone on 'upgrade', nobody else will answer: refuse rather than leave the socket hanging.
    if (server.listenerCount('upgrade') === 1) socket.end(UPGRADE_NOT_FOUND);
  };
  server.on('upgrade', onUpgrade);

  return () => {
    server.off('upgrade', onUpgrade);
    server.off('request', front);
    for (const listener of frameworkListeners) server.on('request', listener);
  };
}
