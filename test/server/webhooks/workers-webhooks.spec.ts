import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientFor, connected, subscribed } from '../support/broadcast-server-harness.js';
import { killBins, runBin, type BinProcess } from '../support/bin-process.js';
import type { PusherClient } from '../support/engine-harness.js';
import { scrape } from '../support/metrics-scrape.js';
import {
  APP,
  buildPackage,
  freePort,
  removePackage,
  sleep,
} from '../scaling/support/cluster-harness.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Webhooks of `nestjs-broadcasting serve --workers N` without Redis (the workers joined
 * through the primary), configured by a JSON config file: pusher-js clients placed on given
 * workers (the per-worker connections metric tells where each landed), a real `node:http`
 * receiver. Each machine-wide change is sent once, by one worker: `channel_occupied` for the
 * first subscriber on any worker, `channel_vacated` when the last worker loses its last,
 * `member_added` / `member_removed` for a user's first / last socket anywhere, and, after a
 * SIGKILL, what only the dead worker held (with three workers: by one survivor, not each).
 */
let pkg: string;
let receiver: WebhookReceiver;

/** Sending goes through each worker's batcher and the primary: generous on a busy VM. */
const DEADLINE = 40_000;
/** How long to wait for a duplicate that must not come. */
const QUIET_MS = 2_000;
/** Per test: several DEADLINE waits fit (the default 20 s would undercut one). */
const TEST_MS = 180_000;

/** Polls an async check every 100 ms (scrapes are HTTP round trips), failing after `ms`. */
async function eventually<T>(
  check: () => Promise<T | false | null | undefined>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

const sent = (name: string, channel: string, userId?: string) =>
  receiver
    .delivered('/all')
    .filter((e) => e.name === name && e.channel === channel && e.user_id === userId);

function allSigned(): void {
  expect(receiver.received.length).toBeGreaterThan(0);
  for (const request of receiver.received)
    expect(WebhookReceiver.validWith(APP, request)).toBe(true);
}

/** One `serve` primary with its workers, its port and its clients. */
class Machine {
  private primary!: BinProcess;
  private port = 0;
  private metricsUrl = '';
  private readonly clients: PusherClient[] = [];

  constructor(private readonly workers: number) {}

  /** Started by a config file with `workers: 2`; `args` may override it (`--workers 3`). */
  async start(args: string[] = []): Promise<void> {
    const metricsPort = await freePort();
    this.metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const file = join(pkg, `broadcasting-${metricsPort}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        server: {
          host: '127.0.0.1',
          port: 0,
          workers: 2,
          metrics: { port: metricsPort },
          apps: [{ ...APP, webhooks: [{ url: receiver.url('/all') }] }],
        },
      }),
    );
    this.primary = runBin(pkg, ['serve', ...args], { BROADCASTING_CONFIG: file });
    const listening = new RegExp(
      `${this.workers} workers listening on http://127\\.0\\.0\\.1:(\\d+)`,
    );
    const match = await eventually(
      async () => listening.exec(this.stdout()),
      90_000,
      `the primary's line (stderr: ${this.primary.err.join('')})`,
    );
    this.port = Number(match[1]);
  }

  stdout(): string {
    return this.primary.out.join('');
  }

  /** The pid the primary reported for the worker in its slot at boot. */
  pid(slot: number): number {
    return Number(new RegExp(`Worker ${slot} \\(pid (\\d+)\\) ready`).exec(this.stdout())?.[1]);
  }

  /** A connected client on the given worker: connects (round-robin) until one lands there. */
  async clientOn(slot: number, user?: string): Promise<PusherClient> {
    for (let attempt = 0; attempt < 5 * this.workers; attempt++) {
      const before = await this.connectionsByWorker();
      const client = clientFor(
        { port: this.port },
        { app: APP, user: user ? { id: user } : undefined },
      );
      this.clients.push(client);
      await connected(client);
      const after = await eventually(
        async () => {
          const now = await this.connectionsByWorker();
          return total(now) === total(before) + 1 && now;
        },
        DEADLINE,
        'the new connection in the metrics',
      );
      if ((after[String(slot)] ?? 0) > (before[String(slot)] ?? 0)) return client;
      // On another worker: gone again before the next try, so the counts stay readable.
      client.disconnect();
      await eventually(
        async () => total(await this.connectionsByWorker()) === total(before),
        DEADLINE,
        'the extra connection to close',
      );
    }
    throw new Error(`no connection landed on worker ${slot} in ${5 * this.workers} tries`);
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.disconnect();
    if (this.primary && this.primary.child.exitCode === null) {
      this.primary.child.kill('SIGTERM');
      await Promise.race([this.primary.exit, sleep(30_000)]);
    }
  }

  private async connectionsByWorker(): Promise<Record<string, number>> {
    const byWorker: Record<string, number> = {};
    for (const s of (await scrape(this.metricsUrl)).samples)
      if (s.name === 'broadcasting_connections' && s.labels.worker)
        byWorker[s.labels.worker] = s.value;
    return byWorker;
  }
}

const total = (byWorker: Record<string, number>) =>
  Object.values(byWorker).reduce((sum, n) => sum + n, 0);

beforeAll(async () => {
  pkg = buildPackage();
  receiver = await WebhookReceiver.start();
}, 120_000);

afterAll(async () => {
  killBins();
  await receiver?.close();
  if (pkg) removePackage(pkg);
});

beforeEach(() => {
  receiver.received.length = 0;
});

describe('webhooks of serve --workers 2 without Redis', () => {
  const machine = new Machine(2);
  beforeAll(() => machine.start(), 120_000);
  afterAll(() => machine.stop(), 60_000);

  it(
    'sends channel_occupied for the first worker’s subscriber and channel_vacated after the last worker’s',
    async () => {
      const [one, two] = [await machine.clientOn(1), await machine.clientOn(2)];
      await subscribed(one, 'x-shared');
      await subscribed(two, 'x-shared');
      await eventually(
        async () => sent('channel_occupied', 'x-shared').length > 0,
        DEADLINE,
        'occupied',
      );
      one.unsubscribe('x-shared');
      await sleep(QUIET_MS);
      expect(sent('channel_vacated', 'x-shared')).toHaveLength(0);
      two.unsubscribe('x-shared');
      await eventually(
        async () => sent('channel_vacated', 'x-shared').length > 0,
        DEADLINE,
        'vacated',
      );
      await sleep(QUIET_MS);
      expect(sent('channel_occupied', 'x-shared')).toHaveLength(1);
      expect(sent('channel_vacated', 'x-shared')).toHaveLength(1);
      allSigned();
    },
    TEST_MS,
  );

  it(
    'sends member_added for a user’s first socket on any worker and member_removed for the last',
    async () => {
      const [one, two] = [await machine.clientOn(1, 'u1'), await machine.clientOn(2, 'u1')];
      await subscribed(one, 'presence-x-room');
      await subscribed(two, 'presence-x-room');
      await eventually(
        async () => sent('member_added', 'presence-x-room', 'u1').length > 0,
        DEADLINE,
        'member_added',
      );
      one.unsubscribe('presence-x-room');
      await sleep(QUIET_MS);
      expect(sent('member_removed', 'presence-x-room', 'u1')).toHaveLength(0);
      expect(sent('channel_vacated', 'presence-x-room')).toHaveLength(0);
      two.unsubscribe('presence-x-room');
      await eventually(
        async () =>
          sent('member_removed', 'presence-x-room', 'u1').length > 0 &&
          sent('channel_vacated', 'presence-x-room').length > 0,
        DEADLINE,
        'member_removed and channel_vacated',
      );
      await sleep(QUIET_MS);
      expect(sent('member_added', 'presence-x-room', 'u1')).toHaveLength(1);
      expect(sent('member_removed', 'presence-x-room', 'u1')).toHaveLength(1);
      expect(sent('channel_occupied', 'presence-x-room')).toHaveLength(1);
      expect(sent('channel_vacated', 'presence-x-room')).toHaveLength(1);
      allSigned();
    },
    TEST_MS,
  );

  it(
    'sends member_removed and channel_vacated once for what only a SIGKILLed worker held',
    async () => {
      const survivor = await machine.clientOn(1, 'w');
      await subscribed(survivor, 'presence-x-doomed');
      await subscribed(survivor, 'x-kept');
      const doomed = await machine.clientOn(2, 'v');
      await subscribed(doomed, 'x-doomed');
      await subscribed(doomed, 'x-kept');
      await subscribed(doomed, 'presence-x-doomed');
      await eventually(
        async () =>
          sent('member_added', 'presence-x-doomed', 'v').length > 0 &&
          sent('channel_occupied', 'x-doomed').length > 0,
        DEADLINE,
        'the doomed worker’s own webhooks',
      );
      const pid = machine.pid(2);
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, 'SIGKILL');
      doomed.disconnect(); // pusher-js must not bring the user back on the other worker
      await eventually(
        async () =>
          sent('member_removed', 'presence-x-doomed', 'v').length > 0 &&
          sent('channel_vacated', 'x-doomed').length > 0,
        DEADLINE,
        'the dead worker’s member_removed and channel_vacated',
      );
      await sleep(QUIET_MS);
      expect(sent('member_removed', 'presence-x-doomed', 'v')).toHaveLength(1);
      expect(sent('channel_vacated', 'x-doomed')).toHaveLength(1);
      // w is still subscribed on worker 1: those channels stay occupied, w a member.
      expect(sent('channel_vacated', 'presence-x-doomed')).toHaveLength(0);
      expect(sent('channel_vacated', 'x-kept')).toHaveLength(0);
      expect(sent('member_removed', 'presence-x-doomed', 'w')).toHaveLength(0);
      // The dead worker's share is gone from the count: the survivor's leaving vacates.
      await eventually(
        async () => /Worker 2 replaced by pid/.test(machine.stdout()),
        60_000,
        'the replacement',
      );
      survivor.unsubscribe('x-kept');
      await eventually(
        async () => sent('channel_vacated', 'x-kept').length > 0,
        DEADLINE,
        'x-kept vacated',
      );
      await sleep(QUIET_MS);
      expect(sent('channel_vacated', 'x-kept')).toHaveLength(1);
      allSigned();
    },
    TEST_MS,
  );
});

describe('webhooks of serve --workers 3 without Redis', () => {
  const machine = new Machine(3);
  // The flag overrides the file's `workers: 2`.
  beforeAll(() => machine.start(['--workers', '3']), 120_000);
  afterAll(() => machine.stop(), 60_000);

  it(
    'has one of the two survivors, not each, send what a SIGKILLed worker held',
    async () => {
      const doomed = await machine.clientOn(3, 'solo');
      await subscribed(doomed, 'x-solo');
      await subscribed(doomed, 'presence-x-solo');
      await eventually(
        async () =>
          sent('member_added', 'presence-x-solo', 'solo').length > 0 &&
          sent('channel_occupied', 'x-solo').length > 0,
        DEADLINE,
        'the doomed worker’s own webhooks',
      );
      process.kill(machine.pid(3), 'SIGKILL');
      doomed.disconnect();
      await eventually(
        async () =>
          sent('member_removed', 'presence-x-solo', 'solo').length > 0 &&
          sent('channel_vacated', 'x-solo').length > 0 &&
          sent('channel_vacated', 'presence-x-solo').length > 0,
        DEADLINE,
        'the dead worker’s webhooks',
      );
      await sleep(QUIET_MS);
      expect(sent('member_removed', 'presence-x-solo', 'solo')).toHaveLength(1);
      expect(sent('channel_vacated', 'x-solo')).toHaveLength(1);
      expect(sent('channel_vacated', 'presence-x-solo')).toHaveLength(1);
      allSigned();
    },
    TEST_MS,
  );
});
