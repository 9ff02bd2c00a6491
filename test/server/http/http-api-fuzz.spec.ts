import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastServerHandle } from 'nestjs-broadcasting/server';
import type { PusherClient } from '../support/engine-harness.js';
import {
  clientFor,
  record,
  serverSdk,
  signedFetch,
  startTestServer,
  subscribed,
  waitFor,
} from '../support/broadcast-server-harness.js';
import { seededRandom } from '../support/seeded-random.js';

const VALID = [
  JSON.stringify({ name: 'e', data: '{"a":1}', channels: ['fuzz', 'private-x'], socket_id: '1.2' }),
  JSON.stringify({
    batch: [{ name: 'e', data: '{}', channel: 'fuzz', info: 'subscription_count' }],
  }),
];
const ODD_VALUES = [
  'null',
  '[]',
  '{}',
  '""',
  '-1',
  '1e999',
  '"\\u0000"',
  'true',
  '"#"',
  '"presence-"',
];

function mutate(next: () => number, body: string): string {
  let out = body;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * out.length);
    const pick = next();
    if (pick < 0.3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 5));
    else if (pick < 0.6)
      out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + out.slice(at);
    else if (pick < 0.85) {
      // Replace a JSON value with something of another type.
      const value = ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
      out = out.replace(/:("[^"]*"|\[[^\]]*\]|\d+)/, `:${value}`);
    } else out = out.slice(0, at) + out.slice(at).repeat(1 + Math.floor(next() * 3));
  }
  return out;
}

let server: BroadcastServerHandle;
let watcher: PusherClient;
beforeAll(async () => {
  server = await startTestServer();
  watcher = clientFor(server);
});
afterAll(async () => {
  watcher.disconnect();
  await server.close();
});

describe('HTTP API under random and mutated input', () => {
  it('answers every request with a 2xx or 4xx and keeps delivering afterwards', async () => {
    const next = seededRandom(20261127);
    const paths = ['/apps/http-app/events', '/apps/http-app/batch_events'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const which = i % 2;
      const body =
        next() < 0.1
          ? Buffer.from(Array.from({ length: 64 }, () => Math.floor(next() * 256))).toString(
              'latin1',
            )
          : mutate(next, VALID[which]);
      const res = await signedFetch(server, 'POST', paths[which], { body });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect([200, 400, 413], `${paths[which]} ${JSON.stringify(body)}`).toContain(res.status);
    }
    // Channel paths too, with junk names and queries.
    for (let i = 0; i < 60; i++) {
      const name = encodeURIComponent(mutate(next, 'presence-room.1'));
      const res = await signedFetch(server, 'GET', `/apps/http-app/channels/${name}/users`, {
        params: { info: mutate(next, 'user_count') },
      });
      expect([200, 400, 401, 404], name).toContain(res.status);
    }
    expect(statuses.get(400)).toBeGreaterThan(0);

    const got = record(await subscribed(watcher, 'after-fuzz'), 'e');
    await serverSdk(server).trigger('after-fuzz', 'e', { ok: true });
    await waitFor(() => got.length === 1);
    expect(got).toEqual([{ ok: true }]);
  }, 60_000);
});
