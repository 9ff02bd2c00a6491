import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { BroadcastServerHandle } from 'nestjs-broadcasting/server';
import type { PusherClient } from '../support/engine-harness.js';
import {
  clientFor,
  record,
  startTestServer,
  subscribed,
  waitFor,
} from '../support/broadcast-server-harness.js';

/** A private redis-server on a free port, since this test stops and restarts it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => 20,
    maxRetriesPerRequest: 0,
  });
  probe.on('error', () => {}); // refused until the server is up
  try {
    await waitFor(
      async () => (await probe.ping().catch(() => '')) === 'PONG',
      5000,
      'redis-server to start',
    );
  } finally {
    probe.disconnect();
  }
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

let redisProcess: ChildProcess | undefined;
let server: BroadcastServerHandle | undefined;
let client: PusherClient | undefined;
afterEach(async () => {
  client?.disconnect();
  await server?.close();
  if (redisProcess) await stopRedis(redisProcess);
});

describe('Redis delivery across a Redis restart', () => {
  it('reconnects, subscribes again, and keeps delivering without crashing', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    redisProcess = await startRedis(port);
    const warnings: string[] = [];
    server = await startTestServer({
      redis: { url, prefix: 'restart:' },
      logger: { log() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
    client = clientFor(server);
    const got = record(await subscribed(client, 'news'), 'headline');

    const publisher = new Redis(url, { retryStrategy: () => 50 });
    publisher.on('error', () => {});
    const subscribers = async () =>
      Number(((await publisher.pubsub('NUMSUB', 'restart:news')) as [string, number])[1]);
    try {
      await waitFor(async () => (await subscribers()) === 1);

      await stopRedis(redisProcess);
      redisProcess = await startRedis(port);

      await waitFor(
        async () => (await subscribers().catch(() => 0)) === 1,
        10_000,
        'the resubscription',
      );
      await publisher.publish(
        'restart:news',
        JSON.stringify({ event: 'headline', data: { n: 1 }, socket: null }),
      );
      await waitFor(() => got.length === 1);
      expect(got).toEqual([{ n: 1 }]);
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/lost its connection to redis:\/\/127\.0\.0\.1:\d+.*reconnecting/),
          expect.stringMatching(/reconnected to redis:\/\/127\.0\.0\.1:\d+/),
        ]),
      );
    } finally {
      publisher.disconnect();
    }
  }, 60_000);
});
