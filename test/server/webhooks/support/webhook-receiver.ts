import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import PusherServer from 'pusher';
import type { WebhookBody, WebhookEvent } from '../../../../lib/webhooks/webhook-event.js';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: WebhookBody;
  /** What the receiver answered (see {@link WebhookReceiver.answer}). */
  answer: Answer;
}

/** 200, another status, or a fault: hang (never answer), close the socket, a 5 MB 200 body. */
export type Answer = number | 'hang' | 'close' | 'huge';

/**
 * A real `node:http` webhook receiver: records every request with its raw body, answers as
 * `answer` says (per request, by its order), and checks signatures with the `pusher` SDK.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Decides each answer; the n-th request (0-based) overall. */
  answer: (n: number, path: string) => Answer = () => 200;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const answer = receiver.answer(receiver.received.length, req.url ?? '');
        receiver.received.push({
          path: req.url ?? '',
          headers: req.headers,
          rawBody,
          body: JSON.parse(rawBody) as WebhookBody,
          answer,
        });
        if (answer === 'hang') return void receiver.hanging.add(res);
        if (answer === 'close') return void req.socket.destroy();
        if (answer === 'huge') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const block = Buffer.alloc(64 * 1024, 'x');
          let left = 80; // 5 MB
          const pump = () => {
            while (left > 0) {
              left--;
              if (!res.write(block)) return void res.once('drain', pump);
            }
            res.end();
          };
          res.on('error', () => {});
          return pump();
        }
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return receiver;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Events of the requests answered 2xx, in order, optionally of one path. */
  delivered(path?: string): WebhookEvent[] {
    return this.received
      .filter((r) => typeof r.answer === 'number' && r.answer < 300 && (!path || r.path === path))
      .flatMap((r) => r.body.events);
  }

  /** True when the `pusher` SDK accepts the request's signature with this app's key and secret. */
  static validWith(app: { id: string; key: string; secret: string }, request: ReceivedWebhook) {
    const sdk = new PusherServer({
      appId: app.id,
      key: app.key,
      secret: app.secret,
      host: '127.0.0.1',
    });
    return sdk.webhook({ headers: request.headers, rawBody: request.rawBody }).isValid();
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.socket?.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
