import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastServerHandle } from 'nestjs-broadcasting/server';
import { md5Hex, signHttpRequest } from '../../../lib/shared/pusher-protocol/signatures.js';
import type { PusherClient } from '../support/engine-harness.js';
import {
  clientFor,
  HTTP_APP,
  record,
  sdkFailure,
  serverSdk,
  signedFetch,
  startTestServer,
  subscribed,
  waitFor,
} from '../support/broadcast-server-harness.js';

const SMALL = {
  ...HTTP_APP,
  limits: { maxEventBytes: 100, maxChannelsPerEvent: 3, maxBatchSize: 2 },
};
const DISABLED = { id: 'off-app', key: 'off-key', secret: 'off-secret', enabled: false };

let server: BroadcastServerHandle;
let watcher: PusherClient;
let seen: unknown[];
const event = (channels: string[], data = '{}', extra: object = {}) =>
  JSON.stringify({ name: 'e', data, channels, ...extra });
/** A trigger body for `watched` whose payload names the request that must not deliver it. */
const refused = (label: string) => event(['watched'], JSON.stringify({ refused: label }));

let sentinels = 0;
/**
 * Proves no event reached the watcher since `since`: a good trigger sent afterwards (the
 * sentinel) arrives, and it is the only thing that did.
 */
async function expectNothingDeliveredSince(since: number): Promise<void> {
  const sentinel = { sentinel: ++sentinels };
  await serverSdk(server).trigger('watched', 'e', sentinel);
  await waitFor(() => seen.length > since, 5000, 'the sentinel event');
  await waitFor(() => JSON.stringify(seen.at(-1)) === JSON.stringify(sentinel), 5000, 'sentinel');
  expect(seen.slice(since)).toEqual([sentinel]);
}

beforeAll(async () => {
  server = await startTestServer({ apps: [SMALL, DISABLED] });
  watcher = clientFor(server);
  seen = record(await subscribed(watcher, 'watched'), 'e');
});
afterAll(async () => {
  watcher.disconnect();
  await server.close();
});

describe('HTTP API authentication (401)', () => {
  it('refuses a request signed with the wrong secret', async () => {
    const since = seen.length;
    const res = await sdkFailure(
      serverSdk(server, { ...HTTP_APP, secret: 'not-the-secret' }).trigger('watched', 'e', {
        refused: 'wrong secret',
      }),
    );
    expect(res.status).toBe(401);
    expect(res.body).toContain('auth_signature');
    expect(res.body).not.toContain(HTTP_APP.secret);
    await expectNothingDeliveredSince(since);
  });

  it('refuses a request without auth_signature', async () => {
    const since = seen.length;
    const res = await signedFetch(server, 'POST', '/apps/http-app/events', {
      body: refused('no auth_signature'),
      tamper: (q) => delete q.auth_signature,
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/auth_signature/);
    await expectNothingDeliveredSince(since);
  });

  it('refuses an auth_key of another app', async () => {
    const since = seen.length;
    const res = await signedFetch(server, 'POST', '/apps/http-app/events', {
      body: refused('auth_key of another app'),
      tamper: (q) => (q.auth_key = 'off-key'),
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/auth_key/);
    await expectNothingDeliveredSince(since);
  });

  it('refuses a timestamp more than 600 s old, and one more than 600 s ahead', async () => {
    const since = seen.length;
    // A minute past the 600 s bound either way: the server reads its own clock later, and on a
    // loaded machine seconds may pass between this line and its check.
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 660, now + 660]) {
      const res = await signedFetch(server, 'POST', '/apps/http-app/events', {
        body: refused(`timestamp ${timestamp - now}`),
        timestamp,
      });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatch(/auth_timestamp/);
    }
    await expectNothingDeliveredSince(since);
    const inWindow = await signedFetch(server, 'POST', '/apps/http-app/events', {
      body: event(['watched'], '{"inWindow":true}'),
      timestamp: now - 540,
    });
    expect(inWindow.status).toBe(200);
    await waitFor(() => seen.some((d) => JSON.stringify(d) === '{"inWindow":true}'));
  });

  it('refuses a body whose body_md5 does not match', async () => {
    const since = seen.length;
    const res = await signedFetch(server, 'POST', '/apps/http-app/events', {
      body: refused('body_md5 mismatch'),
      tamper: (q) => (q.body_md5 = md5Hex('something else')),
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/body_md5/);
    await expectNothingDeliveredSince(since);
  });

  it('refuses a POST body without body_md5', async () => {
    const since = seen.length;
    const body = refused('no body_md5');
    const query: Record<string, string> = {
      auth_key: HTTP_APP.key,
      auth_timestamp: String(Math.floor(Date.now() / 1000)),
      auth_version: '1.0',
    };
    query.auth_signature = signHttpRequest(HTTP_APP.secret, 'POST', '/apps/http-app/events', query);
    const res = await fetch(`${server.url}/apps/http-app/events?${new URLSearchParams(query)}`, {
      method: 'POST',
      body,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/body_md5/);
    await expectNothingDeliveredSince(since);
  });

  it('refuses a query changed after signing', async () => {
    const res = await signedFetch(server, 'GET', '/apps/http-app/channels', {
      params: { filter_by_prefix: 'presence-' },
      tamper: (q) => (q.filter_by_prefix = 'private-'),
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: expect.stringMatching(/auth_signature/) });
  });

  it('refuses a trigger whose query was changed after signing', async () => {
    const since = seen.length;
    const res = await signedFetch(server, 'POST', '/apps/http-app/events', {
      body: refused('tampered query'),
      tamper: (q) => (q.auth_version = '1.1'),
    });
    expect(res.status).toBe(401);
    await expectNothingDeliveredSince(since);
  });
});

describe('HTTP API routing (404, 405, 403)', () => {
  it('answers 404 for an unknown app id', async () => {
    const res = await signedFetch(server, 'POST', '/apps/nope/events', {
      body: event(['watched']),
      app: { id: 'nope', key: 'nope', secret: 'nope' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/Unknown app id "nope"/);
  });

  it('answers 404 for an unknown endpoint of a known app', async () => {
    const res = await signedFetch(server, 'GET', '/apps/http-app/teapots');
    expect(res.status).toBe(404);
  });

  it('answers 405 for the wrong method', async () => {
    const res = await signedFetch(server, 'GET', '/apps/http-app/events');
    expect(res.status).toBe(405);
    expect(res.body.error).toMatch(/POST/);
  });

  it('answers 403 for a disabled app', async () => {
    const res = await signedFetch(server, 'POST', '/apps/off-app/events', {
      body: event(['watched']),
      app: DISABLED,
    });
    expect(res.status).toBe(403);
  });
});

describe('HTTP API validation (400, 413)', () => {
  const post = (path: string, body: string) =>
    signedFetch(server, 'POST', `/apps/http-app/${path}`, { body });

  it('answers 400 for malformed JSON', async () => {
    const res = await post('events', '{"name": "e", ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/not valid JSON/);
  });

  it('answers 400 for missing or wrongly typed fields', async () => {
    const cases: Array<[string, RegExp]> = [
      [JSON.stringify({ data: '{}', channels: ['watched'] }), /"name"/],
      [
        JSON.stringify({ name: 'e', data: { not: 'a string' }, channels: ['watched'] }),
        /"data" must be a string/,
      ],
      [JSON.stringify({ name: 'e', data: '{}' }), /"channels"/],
      [JSON.stringify({ name: 'e', data: '{}', channels: [] }), /"channels"/],
      [JSON.stringify({ name: 'e', data: '{}', channels: [7] }), /must be a string/],
      [JSON.stringify({ name: 'x'.repeat(201), data: '{}', channels: ['watched'] }), /200/],
      [event(['watched'], '{}', { socket_id: 'not-a-socket' }), /socket_id/],
      [event(['watched'], '{}', { info: 'everything' }), /unknown info attribute/],
      ['[1, 2]', /JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await post('events', body);
      expect(res.status, body).toBe(400);
      expect(res.body.error, body).toMatch(message);
    }
  });

  it('answers 400 for invalid channel names', async () => {
    for (const name of ['bad channel', 'x'.repeat(201), 'ünïcode', '#not-server-to-user']) {
      const res = await post('events', event([name]));
      expect(res.status, name).toBe(400);
      expect(res.body.error).toMatch(/invalid channel/);
    }
  });

  it('answers 400 for more channels than maxChannelsPerEvent', async () => {
    const res = await sdkFailure(serverSdk(server).trigger(['a', 'b', 'c', 'd'], 'e', {}));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/4 channels given; at most 3/);
  });

  it('answers 413 for data over maxEventBytes', async () => {
    const res = await sdkFailure(serverSdk(server).trigger('watched', 'e', 'x'.repeat(101)));
    expect(res.status).toBe(413);
    expect(res.body).toMatch(/at most 100 bytes/);
  });

  it('answers 413 for a batch entry whose data is over maxEventBytes, publishing none of it', async () => {
    const since = seen.length;
    const res = await post(
      'batch_events',
      JSON.stringify({
        batch: [
          { channel: 'watched', name: 'e', data: '{"first":true}' },
          { channel: 'watched', name: 'e', data: JSON.stringify({ big: 'x'.repeat(100) }) },
        ],
      }),
    );
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('batch[1]: "data" is 110 bytes; at most 100 bytes are accepted.');
    await expectNothingDeliveredSince(since);
  });

  it('answers 400 for a batch over maxBatchSize', async () => {
    const res = await sdkFailure(
      serverSdk(server).triggerBatch(
        [1, 2, 3].map((n) => ({ channel: 'watched', name: 'e', data: { n } })),
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/3 events in the batch; at most 2/);
  });

  it('publishes nothing from a batch with one invalid entry', async () => {
    const before = seen.length;
    const res = await post(
      'batch_events',
      JSON.stringify({
        batch: [
          { channel: 'watched', name: 'e', data: '{"first":true}' },
          { channel: 'bad name', name: 'e', data: '{}' },
        ],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/batch\[1\]/);
    // A later good trigger arrives alone: the batch's first entry was never published.
    await serverSdk(server).trigger('watched', 'e', { marker: true });
    await waitFor(() => seen.length > before);
    expect(seen.slice(before)).toEqual([{ marker: true }]);
  });

  it('refuses an oversized body with 413 before reading it whole', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/apps/http-app/events?auth_key=x`,
        { method: 'POST', headers: { 'content-length': String(50 * 1024 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.write('x'.repeat(1024)); // the server answers without waiting for the other 50 MB
    });
    expect(status).toBe(413);
  });

  it('refuses a chunked body with 413 as soon as it passes the cap', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/apps/http-app/events?auth_key=x`,
        { method: 'POST' },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', () => {}); // the server may cut the rest of the upload
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 200 && req.write(chunk)) sent++;
        if (sent < 200) req.once('drain', pump);
        else req.end();
      };
      pump();
      setTimeout(() => reject(new Error('no answer')), 5000).unref();
    });
    expect(status).toBe(413);
  });

  it('answers 400 for user_count on a non-presence channel, and users of a non-presence channel', async () => {
    const info = await signedFetch(server, 'GET', '/apps/http-app/channels/watched', {
      params: { info: 'user_count' },
    });
    expect(info.status).toBe(400);
    expect(info.body.error).toMatch(/presence/);

    const list = await signedFetch(server, 'GET', '/apps/http-app/channels', {
      params: { info: 'user_count' },
    });
    expect(list.status).toBe(400);
    expect(list.body.error).toMatch(/filter_by_prefix=presence-/);

    const users = await signedFetch(server, 'GET', '/apps/http-app/channels/watched/users');
    expect(users.status).toBe(400);
  });

  it('keeps serving after every refused request', async () => {
    const before = seen.length;
    await serverSdk(server).trigger('watched', 'e', { still: 'alive' });
    await waitFor(() => seen.length > before);
    expect(seen.at(-1)).toEqual({ still: 'alive' });
  });
});
