import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signHttpRequest } from '../../shared/pusher-protocol/signatures.js';
import type { HttpApiApp, HttpApiEngine } from '../engine/engine-surface.js';
import { silentLogger } from '../../shared/logger.js';
import { HttpApiRouter } from './http-api-router.js';

const app: HttpApiApp = {
  id: 'a',
  key: 'k',
  secret: 's',
  enabled: true,
  limits: { maxEventBytes: 100, maxChannelsPerEvent: 10, maxBatchSize: 10 },
};

/** An engine whose channel query fails, as a scaling adapter might when Redis is down. */
const failingEngine: HttpApiEngine = {
  apps: { byId: (id) => (id === app.id ? app : undefined) },
  publish: () => {},
  channels: async () => {
    throw new Error('cluster query timed out');
  },
  channel: async () => ({ occupied: false, subscriptionCount: 0 }),
  presenceUsers: async () => [],
  terminateUserConnections: async () => {},
};

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(api: HttpApiRouter) {
  server = createServer((req, res) => {
    if (!api.handle(req, res)) res.writeHead(418).end();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function signedChannelsUrl(base: string, timestamp = Math.floor(Date.now() / 1000)) {
  const query: Record<string, string> = {
    auth_key: app.key,
    auth_timestamp: String(timestamp),
    auth_version: '1.0',
  };
  query.auth_signature = signHttpRequest(app.secret, 'GET', '/apps/a/channels', query);
  return `${base}/apps/a/channels?${new URLSearchParams(query)}`;
}

describe('HttpApiRouter', () => {
  it('answers 500 without details when the engine fails, and logs the cause', async () => {
    const logged: string[] = [];
    const base = await serve(
      new HttpApiRouter(failingEngine, {
        logger: { ...silentLogger, error: (m) => logged.push(m) },
      }),
    );
    const res = await fetch(signedChannelsUrl(base));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'Internal server error.' });
    expect(logged).toEqual([expect.stringContaining('cluster query timed out')]);
  });

  it('checks auth_timestamp against the clock given as `now`', async () => {
    const past = 1_000_000_000; // 2001: far outside the 600 s Pusher allows from today
    const engine = { ...failingEngine, channels: async () => new Map() };
    const base = await serve(new HttpApiRouter(engine, { now: () => past + 30 }));
    const accepted = await fetch(signedChannelsUrl(base, past));
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ channels: {} });
    const rejected = await fetch(signedChannelsUrl(base));
    expect(rejected.status).toBe(401);
    expect((await rejected.json()).error).toMatch(
      /auth_timestamp is -\d+ s from the server's clock/,
    );
  });

  it('leaves other paths, and with knownAppsOnly other app ids, to the host', async () => {
    const api = new HttpApiRouter(failingEngine);
    expect(api.owns('/elsewhere')).toBe(false);
    expect(api.owns('/up')).toBe(true);
    expect(api.owns('/apps/zzz/events')).toBe(true);
    expect(api.owns('/apps/zzz/events', true)).toBe(false);
    expect(api.owns('/apps/a/events?x=1', true)).toBe(true);
    const base = await serve(api);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(418);
  });
});
