import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readRequestBody } from './read-request-body.js';

class TooLarge extends Error {}

let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

/** Posts `body` to a server that reads it with a cap of 10 bytes and answers what happened. */
async function post(
  body: string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; listeners: number }> {
  let listeners = -1;
  server = createServer((req: IncomingMessage, res) => {
    readRequestBody(req, 10, (max) => new TooLarge(`over ${max}`)).then(
      (buffer) => {
        listeners = req.listenerCount('data') + req.listenerCount('end');
        res.end(`ok:${buffer.toString()}`);
      },
      (error: Error) => {
        listeners = req.listenerCount('end') + req.listenerCount('error');
        res.statusCode = error instanceof TooLarge ? 413 : 500;
        res.end(error.message);
      },
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text, listeners }));
    });
    req.on('error', reject);
    for (const part of body) req.write(part);
    req.end();
  });
}

describe('readRequestBody', () => {
  it('returns a body within the limit and removes its listeners', async () => {
    const result = await post(['0123', '456789']);
    expect(result).toMatchObject({ status: 200, text: 'ok:0123456789' });
    expect(result.listeners).toBe(0);
  });

  it("refuses a body whose Content-Length is over the limit with the caller's error", async () => {
    const result = await post(['x'.repeat(11)], { 'content-length': '11' });
    expect(result).toMatchObject({ status: 413, text: 'over 10' });
  });

  it('refuses a chunked body once it passes the limit, and cleans up', async () => {
    const result = await post(['0123456', '789abc', 'def']);
    expect(result).toMatchObject({ status: 413, text: 'over 10' });
    expect(result.listeners).toBe(0);
  });
});
