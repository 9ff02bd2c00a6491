import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BroadcastConfigError } from '../../errors/broadcast.exception.js';
import type { ServerLogger } from '../../shared/logger.js';
import { MetricsMessages } from './metrics-messages.js';

/** What the endpoint serves: a prom-client `Registry`'s exposition. */
export interface ScrapeSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsHttpServer {
  /** `http://host:port/path`, with the real port when 0 was asked. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The metrics endpoint on a port of its own: `GET` (or `HEAD`) on `path` answers the
 * registry's exposition; any other path is 404 and any other method 405. Kept apart from
 * the public server on purpose: metrics name the apps and are for the operator's network.
 */
export async function listenMetricsServer(
  source: ScrapeSource,
  { host, port, path }: { host: string; port: number; path: string },
  logger: ServerLogger,
): Promise<MetricsHttpServer> {
  const server: Server = createServer((req, res) => {
    const queryAt = req.url?.indexOf('?') ?? -1;
    const requested = queryAt < 0 ? req.url : req.url!.slice(0, queryAt);
    const text = { 'content-type': 'text/plain; charset=utf-8' };
    if (requested !== path)
      return void res.writeHead(404, text).end(MetricsMessages.notFound(path));
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return void res
        .writeHead(405, { ...text, allow: 'GET, HEAD' })
        .end(MetricsMessages.methodNotAllowed(path));
    source.metrics().then(
      (body) => {
        res.writeHead(200, {
          'content-type': source.contentType,
          'content-length': Buffer.byteLength(body),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        logger.error(MetricsMessages.scrapeFailed(error));
        res.writeHead(500, text).end(MetricsMessages.scrapeFailed(error));
      },
    );
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? MetricsMessages.portInUse(port) : error.message;
      reject(
        new BroadcastConfigError(MetricsMessages.cannotListen(host, port, reason), 'metrics.port'),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}${path}`,
    port: address.port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
