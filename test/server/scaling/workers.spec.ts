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
import { APP, buildPackage, freePort, removePackage, sleep } from './support/cluster-harness.js';

/**
 * `nestjs-broadcasting serve --workers 2`, joined over the real Redis (`--scaling redis`)
 * and through the primary without Redis (the in-machine link): 20 pusher-js clients on the
 * one port act as if on one server (counts from the HTTP API, delivery, presence), spread
 * over both workers (the per-worker metric), a worker killed with SIGKILL is replaced and
 * its presence members removed, and SIGTERM stops all of them cleanly. The steps run in
 * order on one primary per mode, as an operator would see them.
 */
const CLIENTS = 20;
const USERS = 10; // two connections per user: presence counts users, not connections

let pkg: string;

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
  check: () => Promise<T | undefined | null | false>,
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(() => {
  pkg = buildPackage();
}, 120_000);
afterAll(() => {
  killBins();
  if (pkg) removePackage(pkg);
});

function workersSuite(link: 'redis' | 'ipc') {
  const flags = link === 'redis' ? ['--scaling', 'redis'] : [];
  let primary: BinProcess;
  let url: string;
  let port: number;
  let metricsUrl: string;
  const clients: PusherClient[] = [];
  const news: unknown[][] = [];
  const joined: unknown[][] = [];
  const left: unknown[][] = [];

  const stdout = () => primary.out.join('');
  const readyPid = (slot: number) =>
    Number(new RegExp(`Worker ${slot} \\(pid (\\d+)\\) ready`).exec(stdout())?.[1]);
  const sdk = () => serverSdk({ port }, APP);
  async function channelInfo(name: string, info: string) {
    const res = await sdk().get({ path: `/channels/${name}`, params: { info } });
    return (await res.json()) as { subscription_count?: number; user_count?: number };
  }
  async function userIds(): Promise<string[]> {
    const res = await sdk().get({ path: '/channels/presence-room/users' });
    return ((await res.json()) as { users: Array<{ id: string }> }).users.map((u) => u.id).sort();
  }
  async function connectionsByWorker(): Promise<Record<string, number>> {
    const metrics = await scrape(metricsUrl);
    const byWorker: Record<string, number> = {};
    for (const s of metrics.samples)
      if (s.name === 'broadcasting_connections') byWorker[s.labels.worker] = s.value;
    return byWorker;
  }
  const everyone = Array.from({ length: USERS }, (_, i) => `user-${i}`).sort();

  describe(`serve --workers 2 ${link === 'redis' ? 'over Redis' : 'without Redis (in-machine link)'}`, () => {
    beforeAll(async () => {
      const metricsPort = await freePort();
      primary = runBin(
        pkg,
        ['serve', '--workers', '2', ...flags],
        env(uniquePrefix(`workers-${link}`), { BROADCASTING_METRICS_PORT: String(metricsPort) }),
      );
      const match = await eventually(
        async () => /2 workers listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(stdout()),
        90_000,
        `the primary's line (stderr: ${primary.err.join('')})`,
      );
      url = match[1];
      port = Number(match[2]);
      metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      for (let i = 0; i < CLIENTS; i++) {
        const client = clientFor({ port }, { app: APP, user: { id: `user-${i % USERS}` } });
        clients.push(client);
        await connected(client);
        news.push(record(await subscribed(client, 'news'), 'headline'));
        const room = await subscribed(client, 'presence-room');
        joined.push(record(room, 'pusher:member_added'));
        left.push(record(room, 'pusher:member_removed'));
      }
    }, 180_000);

    afterAll(() => {
      for (const client of clients) client.disconnect();
      if (primary.child.exitCode === null) primary.child.kill('SIGKILL');
    });

    it('listens once on one port with two workers, and says how they are joined', () => {
      const pids = [readyPid(1), readyPid(2)];
      expect(pids.every((pid) => pid > 0 && alive(pid))).toBe(true);
      expect(pids[0]).not.toBe(pids[1]);
      expect(stdout()).toContain(WorkersMessages.allReady(2, url, pids, link));
      expect(stdout()).toContain(`Prometheus metrics: ${metricsUrl}`);
      const nodeIds = [...stdout().matchAll(/worker \d: Scaling: node (\w+) joined/g)];
      expect(new Set(nodeIds.map((m) => m[1])).size).toBe(link === 'redis' ? 2 : 0);
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
        async () =>
          (await channelInfo('news', 'subscription_count')).subscription_count === CLIENTS,
        20_000,
        'subscription_count 20 on any worker',
      );
      // Asked several times: round-robin reaches both workers, and each must answer the same.
      for (let i = 0; i < 4; i++) {
        expect((await channelInfo('news', 'subscription_count')).subscription_count).toBe(CLIENTS);
        expect((await channelInfo('presence-room', 'user_count')).user_count).toBe(USERS);
        expect(await userIds()).toEqual(everyone);
      }
      const res = await sdk().get({
        path: '/channels',
        params: { filter_by_prefix: 'presence-', info: 'user_count' },
      });
      expect(await res.json()).toEqual({ channels: { 'presence-room': { user_count: USERS } } });
    });

    it("keeps a cache channel's last event for a subscriber that arrives on either worker", async () => {
      await sdk().trigger('cache-scores', 'score', { home: 2 });
      // Round-robin puts new clients on either worker: wherever they land, the event is there.
      for (let i = 0; i < 2; i++) {
        const client = clientFor({ port }, { app: APP });
        await connected(client);
        const channel = client.subscribe('cache-scores');
        const got = record(channel, 'score');
        await eventually(async () => got.length === 1, 20_000, `the cached score (client ${i})`);
        expect(got).toEqual([{ home: 2 }]);
        client.disconnect();
      }
    });

    it('delivers one publish to every client on both workers, once', async () => {
      await sdk().trigger('news', 'headline', { n: 1 });
      await eventually(async () => news.every((got) => got.length >= 1), 20_000, 'the headline');
      await sleep(300);
      for (const got of news) expect(got).toEqual([{ n: 1 }]);
    });

    it('tells every member on both workers that a user joined', async () => {
      const late = clientFor({ port }, { app: APP, user: { id: 'late-user' } });
      await connected(late);
      await subscribed(late, 'presence-room');
      const isLate = (m: unknown) => (m as { id?: string }).id === 'late-user';
      await eventually(
        async () => joined.every((got) => got.some(isLate)),
        20_000,
        'member_added of late-user on all 20',
      );
      late.disconnect();
      await eventually(
        async () => !(await userIds()).includes('late-user'),
        20_000,
        'late-user gone',
      );
    });

    it('reaches a signed-in user on every worker, and terminates all of their connections', async () => {
      // Four sockets of one user: round-robin puts them on both workers.
      const sockets = Array.from({ length: 4 }, () =>
        clientFor({ port }, { app: APP, user: { id: 'u-everywhere' } }),
      );
      const inbox: unknown[][] = [];
      for (const client of sockets) {
        await connected(client);
        const got: unknown[] = [];
        client.user.bind('notice', (data: unknown) => got.push(data));
        inbox.push(got);
        const signedIn = new Promise<void>((r) => client.bind('pusher:signin_success', () => r()));
        client.signin();
        await signedIn;
      }
      await eventually(
        async () => sockets.every((client) => client.user.serverToUserChannel?.subscribed),
        20_000,
        "the user's channel subscribed on every socket",
      );
      await sdk().sendToUser('u-everywhere', 'notice', { text: 'hi' });
      await eventually(async () => inbox.every((got) => got.length >= 1), 20_000, 'the notice');
      await sleep(300);
      for (const got of inbox) expect(got).toEqual([{ text: 'hi' }]);
      await sdk().terminateUserConnections('u-everywhere');
      await eventually(
        async () => sockets.every((client) => client.connection.state !== 'connected'),
        20_000,
        'every socket of the user closed',
      );
      for (const client of sockets) client.disconnect();
      await sleep(300);
      expect(clients.every((client) => client.connection.state === 'connected')).toBe(true);
    });

    it('replaces a worker killed with SIGKILL; its members are removed, its clients come back', async () => {
      // A user on one worker only: which one, the per-worker metric tells.
      const before = await connectionsByWorker();
      const ghost = clientFor({ port }, { app: APP, user: { id: 'ghost-user' } });
      await connected(ghost);
      await subscribed(ghost, 'presence-room');
      const after = await eventually(
        async () => {
          const counts = await connectionsByWorker();
          return (counts['1'] ?? 0) + (counts['2'] ?? 0) === CLIENTS + 1 && counts;
        },
        20_000,
        "the ghost's connection in the metrics",
      );
      const slot = (after['1'] ?? 0) > (before['1'] ?? 0) ? 1 : 2;
      const dead = readyPid(slot);
      process.kill(dead, 'SIGKILL');
      ghost.disconnect(); // it must not come back: the dead worker's memberships must go
      const replaced = await eventually(
        async () => new RegExp(`Worker ${slot} replaced by pid (\\d+)`).exec(stdout()),
        60_000,
        'the replacement',
      );
      const fresh = Number(replaced[1]);
      expect(fresh).not.toBe(dead);
      expect(alive(fresh)).toBe(true);
      expect(primary.err.join('')).toContain(
        WorkersMessages.workerDied(slot, dead, WorkersMessages.exitOf(null, 'SIGKILL'), 100),
      );
      // The clients that stayed on the other worker hear that the ghost left.
      const isGhost = (m: unknown) => (m as { id?: string }).id === 'ghost-user';
      await eventually(
        async () => left.some((got) => got.some(isGhost)),
        30_000,
        'member_removed of ghost-user',
      );
      // pusher-js reconnects the killed worker's clients through the same port.
      await eventually(
        async () => clients.every((client) => client.connection.state === 'connected'),
        60_000,
        'every client to reconnect',
      );
      await eventually(
        async () =>
          (await channelInfo('news', 'subscription_count')).subscription_count === CLIENTS,
        60_000,
        'subscription_count back to 20',
      );
      await eventually(
        async () => JSON.stringify(await userIds()) === JSON.stringify(everyone),
        60_000,
        'the roster back to the 10 users, without the ghost',
      );
      for (const got of news) got.length = 0;
      await sdk().trigger('news', 'headline', { n: 2 });
      await eventually(
        async () => news.every((got) => got.length >= 1),
        20_000,
        'the second headline',
      );
      await sleep(300);
      for (const got of news) expect(got).toEqual([{ n: 2 }]);
      const metrics = await scrape(metricsUrl);
      expect(metrics.value('broadcasting_worker_restarts_total', { worker: String(slot) })).toBe(1);
      expect(metrics.value('broadcasting_workers')).toBe(2);
    }, 180_000);

    it('stops every worker cleanly on SIGTERM and exits 0', async () => {
      const pids = [...stdout().matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
      primary.child.kill('SIGTERM');
      expect(await primary.exit).toBe(0);
      expect(stdout()).toContain(WorkersMessages.stopping('SIGTERM', 2, 10));
      expect(stdout()).toContain('worker 1: Broadcast server stopped.');
      expect(stdout()).toContain('worker 2: Broadcast server stopped.');
      expect(stdout()).toContain(WorkersMessages.stopped(0));
      for (const pid of pids) expect(alive(pid)).toBe(false);
    }, 60_000);
  });
}

workersSuite('redis');
workersSuite('ipc');

describe('serve --workers with --log-format json', () => {
  it("writes JSON lines only, the workers' with their worker slot and pid", async () => {
    const bin = runBin(
      pkg,
      ['serve', '--workers', '2', '--log-format', 'json'],
      env(uniquePrefix('workers-json')),
    );
    await eventually(
      async () => bin.lines('out').some((line) => line.includes('2 workers listening on')),
      90_000,
      `the primary's line (stderr: ${bin.err.join('')})`,
    );
    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(0);
    const lines = [...bin.lines('out'), ...bin.lines('err')].map(
      (line) => JSON.parse(line) as { msg: string; worker?: number; pid?: number },
    );
    const listening = lines.filter((line) => line.msg.includes('Broadcast server listening on'));
    expect(listening.map((line) => line.worker).sort()).toEqual([1, 2]);
    for (const line of listening) expect(line.pid).toBeGreaterThan(0);
    expect(lines.some((line) => line.msg === WorkersMessages.stopped(0))).toBe(true);
  }, 120_000);
});
