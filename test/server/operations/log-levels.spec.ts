import { describe, expect, it } from 'vitest';
import { LocalBroadcastHub } from 'nestjs-broadcasting';
import type { ServerLogger } from '../../../lib/shared/logger.js';
import { LocalBroadcaster } from '../../../lib/drivers/local.broadcaster.js';
import type { StartBroadcastServerOptions } from '../../../lib/server/hosting/start-broadcast-server.js';
import { RawClient } from '../support/engine-harness.js';
import { HTTP_APP, startTestServer, uniquePrefix } from '../support/broadcast-server-harness.js';

/** Every line the server logs, as `level message`, with the fields of the last one kept. */
function capture() {
  const lines: string[] = [];
  const fields: Array<Record<string, unknown> | undefined> = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    lines.push(`${level} ${message}`);
    fields.push(extra);
  };
  const logger: ServerLogger = {
    error: at('error'),
    warn: at('warn'),
    log: at('info'),
    debug: at('debug'),
  };
  return { lines, fields, logger };
}

/** A server's life at one log level: a client subscribes, leaves and disconnects; a bad hub message. */
async function lifeAt(level: 'warn' | 'info' | 'debug', extra: StartBroadcastServerOptions = {}) {
  const { lines, fields, logger } = capture();
  const hub = new LocalBroadcastHub();
  const server = await startTestServer({ logger, log: { level }, localHub: hub, ...extra });
  const client = await RawClient.connect(
    `ws://127.0.0.1:${server.port}/app/${HTTP_APP.key}?protocol=7`,
  );
  await client.subscribe('news');
  server.engine.publish(HTTP_APP.id, ['news'], 'paid', '{"card":"4111-1111-1111-1111"}');
  await client.next('paid', 'news');
  client.send({
    event: 'pusher:subscribe',
    data: { channel: 'private-orders.1', auth: `${HTTP_APP.key}:${'ab'.repeat(32)}` },
  });
  await client.next('pusher:subscription_error', 'private-orders.1');
  client.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
  await client.flush();
  await new LocalBroadcaster(hub, 'no-such-app').broadcast(['news'], 'e', {});
  client.close();
  await client.closed();
  await server.close(); // waits for the socket's cleanup, so its lines are in
  return { lines, fields, socketId: client.socketId! };
}

describe('log levels', () => {
  it('info: where it listens and the shutdown, no line per connection', async () => {
    const { lines } = await lifeAt('info');
    expect(lines).toContainEqual(
      expect.stringMatching(/^info Broadcast server listening on http:\/\/127\.0\.0\.1:\d+ /),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn Local broadcasts for app "no-such-app"/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^info Broadcast server stopping/));
    expect(lines).toContain('info Broadcast server stopped.');
    expect(lines.filter((l) => l.startsWith('debug'))).toEqual([]);
  });

  it('debug: also each connection, subscription and close code, by socket id', async () => {
    const { lines, fields, socketId } = await lifeAt('debug');
    const id = socketId.replace('.', '\\.');
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^debug Connection ${id} opened on app ${HTTP_APP.id} from 127\\.0\\.0\\.1\\.$`),
      ),
    );
    expect(lines).toContain(`debug Socket ${socketId} subscribed to news.`);
    expect(lines).toContain(`debug Socket ${socketId} left news.`);
    expect(lines).toContain(`debug Connection ${socketId} on app ${HTTP_APP.id} closed with 1005.`);
    expect(
      fields[lines.indexOf(`debug Connection ${socketId} on app ${HTTP_APP.id} closed with 1005.`)],
    ).toEqual({
      socketId,
      appId: HTTP_APP.id,
      code: 1005,
    });
  });

  it('warn: problems only', async () => {
    const { lines } = await lifeAt('warn');
    expect(lines).toEqual([expect.stringMatching(/^warn Local broadcasts for app "no-such-app"/)]);
  });

  it('info with scaling: joining and leaving the cluster', async () => {
    const { lines } = await lifeAt('info', {
      scaling: 'redis',
      redis: { url: 'redis://127.0.0.1:6379', prefix: uniquePrefix('log-levels') },
    });
    expect(lines).toContainEqual(
      expect.stringMatching(/^info Scaling: node \S+ joined the cluster/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^info Scaling: node \S+ left the cluster/));
  });

  it('never logs a payload, a signature or the secret, even at debug', async () => {
    const { lines, fields } = await lifeAt('debug');
    const everything = JSON.stringify({ lines, fields });
    expect(lines).toContainEqual(
      expect.stringMatching(/^debug Socket \S+ refused private-orders\.1 \(401\)/),
    );
    expect(everything).not.toContain(HTTP_APP.secret);
    // The whole card number and signature: a port or a socket id may hold '4111' by chance.
    expect(everything).not.toContain('4111-1111-1111-1111');
    expect(everything).not.toContain('ab'.repeat(32));
  });
});
