import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  connected,
  record,
  serverSdk,
  subscribed,
  uniquePrefix,
} from '../support/broadcast-server-harness.js';
import { killBins, runBin, type BinProcess } from '../support/bin-process.js';
import type { PusherClient } from '../support/engine-harness.js';
import { scrape } from '../support/metrics-scrape.js';
import { WorkersMessages } from '../../../lib/server/hosting/workers/workers-messages.js';
import { APP, buildPackage, freePort, removePackage } from './support/cluster-harness.js';

/**
 * `nestjs-broadcasting serve --workers 2` with scaling over the real Redis: 20 pusher-js
 * clients on the one port act as if on one server (counts from the HTTP API, delivery,
 * presence), spread over both workers (the per-worker metric), a worker killed with
 * SIGKILL is replaced, and SIGTERM stops all of them cleanly. The steps run in order on
 * one primary, as an operator would see them.
 */
const CLIENTS = 20;
const USERS = 10; // two connections per user: presence counts users, not connections

let pkg: string;
let primary: BinProcess;
let url: string;
let port: number;
let metricsUrl: string;
const clients: PusherClient[] = [];
const news: unknown[][] = [];
const joined: unknown[][] = [];

const env = (prefix: string, extra: Record<string, string> = {}) => ({
  BROADCASTING_APP_ID: APP.id,
  BROADCASTING_APP_KEY: APP.key,
  BROADCASTING_APP_SECRET: APP.secret,
  BROADCASTING_SERVER_HOST: '127.0.0.1',
  BROADCASTING_SERVER_PORT: '0',
  BROADCASTING_REDIS_URL: 'redis://127.0.0.1:6379',
  BROADCASTING_REDIS_PREFIX: prefix,
  ...extra,
});

/** Polls an async check every 100 ms (HTTP round trips), failing after `ms`. */
async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  ms: number,
  what: string,
) {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `Timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stdout = () => primary.out.join('');
const workerPid = (slot: number) =>
  Number(new RegExp(`Worker ${slot} \\(pid (\\d+)\\) ready`).exec(stdout())?.[1]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sdk = () => serverSdk({ port }, APP);
async function channelInfo(name: string, info: string) {
  const res = await sdk().get({ path: `/channels/${name}`, params: { info } });
  return (await res.json()) as { subscription_count?: number; user_count?: number };
}
async function connectionsByWorker(): Promise<Record<string, number>> {
  const metrics = await scrape(metricsUrl);
  const byWorker: Record<string, number> = {};
  for (const s of metrics.samples)
    if (s.name === 'broadcasting_connections') byWorker[s.labels.worker] = s.value;
  return byWorker;
}

beforeAll(async () => {
  pkg = buildPackage();
  const metricsPort = await freePort();
  primary = runBin(
    pkg,
    ['serve', '--workers', '2', '--scaling', 'redis'],
    env(uniquePrefix('workers'), { BROADCASTING_METRICS_PORT: String(metricsPort) }),
  );
  const match = await eventually(
    async () => /2 workers listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(stdout()),
    90_000,
    `the primary's line (stderr: ${primary.err.join('')})`,
  );
  url = match[1];
  port = Number(match[2]);
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  expect(stdout()).toContain(`Prometheus metrics: ${metricsUrl}`);
  for (let i = 0; i < CLIENTS; i++) {
    const client = clientFor({ port }, { app: APP, user: { id: `user-${i % USERS}` } });
    clients.push(client);
    await connected(client);
    news.push(record(await subscribed(client, 'news'), 'headline'));
    joined.push(record(await subscribed(client, 'presence-room'), 'pusher:member_added'));
  }
}, 180_000);

afterAll(() => {
  for (const client of clients) client.disconnect();
  killBins();
  if (pkg) removePackage(pkg);
});

describe('serve --workers 2 over Redis', () => {
  it('listens once on one port with two workers, each its own node of the cluster', () => {
    const pids = [workerPid(1), workerPid(2)];
    expect(pids.every((pid) => pid > 0 && alive(pid))).toBe(true);
    expect(pids[0]).not.toBe(pids[1]);
    expect(stdout()).toContain(WorkersMessages.allReady(2, url, pids));
    const nodeIds = [...stdout().matchAll(/worker \d: Scaling: node (\w+) joined/g)].map(
      (m) => m[1],
    );
    expect(new Set(nodeIds).size).toBe(2);
  });

  it('spreads the connections over both workers (the per-worker metric)', async () => {
    const byWorker = await eventually(
      async () => {
        const counts = await connectionsByWorker();
        return (counts['1'] ?? 0) + (counts['2'] ?? 0) === CLIENTS && counts;
      },
      20_000,
      'both workers to report their connections',
    );
    expect(byWorker['1']).toBeGreaterThan(0);
    expect(byWorker['2']).toBeGreaterThan(0);
  });

  it('answers the HTTP API with the whole machine: subscription and user counts', async () => {
    await eventually(
      async () => (await channelInfo('news', 'subscription_count')).subscription_count === CLIENTS,
      20_000,
      'subscription_count 20 on any worker',
    );
    // Asked several times: round-robin reaches both workers, and each must answer the same.
    for (let i = 0; i < 4; i++) {
      expect((await channelInfo('news', 'subscription_count')).subscription_count).toBe(CLIENTS);
      expect((await channelInfo('presence-room', 'user_count')).user_count).toBe(USERS);
    }
    const res = await sdk().get({ path: '/channels/presence-room/users' });
    const { users } = (await res.json()) as { users: Array<{ id: string }> };
    expect(users.map((u) => u.id).sort()).toEqual(
      Array.from({ length: USERS }, (_, i) => `user-${i}`).sort(),
    );
  });

  it('delivers one publish to every client on both workers, once', async () => {
    await sdk().trigger('news', 'headline', { n: 1 });
    await eventually(async () => news.every((got) => got.length >= 1), 20_000, 'the headline');
    await new Promise((r) => setTimeout(r, 300));
    for (const got of news) expect(got).toEqual([{ n: 1 }]);
  });

  it('tells every member on both workers that a user joined', async () => {
    const late = clientFor({ port }, { app: APP, user: { id: 'late-user' } });
    clients.push(late);
    await connected(late);
    await subscribed(late, 'presence-room');
    const isLate = (m: unknown) => (m as { id?: string }).id === 'late-user';
    await eventually(
      async () => joined.every((got) => got.some(isLate)),
      20_000,
      'member_added of late-user on all 20',
    );
    late.disconnect();
    clients.pop();
  });

  it('replaces a worker killed with SIGKILL, and the clients come back whole', async () => {
    const dead = workerPid(1);
    process.kill(dead, 'SIGKILL');
    const replaced = await eventually(
      async () => /Worker 1 replaced by pid (\d+)/.exec(stdout()),
      60_000,
      'the replacement',
    );
    const fresh = Number(replaced[1]);
    expect(fresh).not.toBe(dead);
    expect(alive(fresh)).toBe(true);
    expect(primary.err.join('')).toContain(
      WorkersMessages.workerDied(1, dead, WorkersMessages.exitOf(null, 'SIGKILL'), 100),
    );
    // pusher-js reconnects the killed worker's clients through the same port.
    await eventually(
      async () => clients.every((client) => client.connection.state === 'connected'),
      60_000,
      'every client to reconnect',
    );
    await eventually(
      async () => (await channelInfo('news', 'subscription_count')).subscription_count === CLIENTS,
      60_000,
      'subscription_count back to 20',
    );
    await eventually(
      async () => (await channelInfo('presence-room', 'user_count')).user_count === USERS,
      60_000,
      'user_count back to 10',
    );
    for (const got of news) got.length = 0;
    await sdk().trigger('news', 'headline', { n: 2 });
    await eventually(
      async () => news.every((got) => got.length >= 1),
      20_000,
      'the second headline',
    );
    await new Promise((r) => setTimeout(r, 300));
    for (const got of news) expect(got).toEqual([{ n: 2 }]);
    const metrics = await scrape(metricsUrl);
    expect(metrics.value('broadcasting_worker_restarts_total', { worker: '1' })).toBe(1);
    expect(metrics.value('broadcasting_workers')).toBe(2);
  }, 180_000);

  it('stops every worker cleanly on SIGTERM and exits 0', async () => {
    const pids = [Number(/Worker 1 replaced by pid (\d+)/.exec(stdout())![1]), workerPid(2)];
    primary.child.kill('SIGTERM');
    expect(await primary.exit).toBe(0);
    expect(stdout()).toContain(WorkersMessages.stopping('SIGTERM', 2, 10));
    expect(stdout()).toContain('worker 1: Broadcast server stopped.');
    expect(stdout()).toContain('worker 2: Broadcast server stopped.');
    expect(stdout()).toContain(WorkersMessages.stopped(0));
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 60_000);
});

describe('serve --workers without scaling', () => {
  it('refuses to start, naming the fix', async () => {
    const bin = runBin(pkg, ['serve', '--workers', '2'], env(uniquePrefix('workers-refused')));
    expect(await bin.exit).toBe(1);
    expect(bin.err.join('')).toContain(
      `[nestjs-broadcasting] ERROR ${WorkersMessages.needsScaling(2, '--workers')}`,
    );
    expect(bin.out.join('')).not.toContain('Starting 2 workers');
  }, 60_000);
});
