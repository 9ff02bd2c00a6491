import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { BroadcastManager } from 'nestjs-broadcasting';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runWorkCommand, WORK_USAGE } from '../../lib/queue/work-command.js';
import { waitFor } from '../fixtures/core/wait-for.js';
import { buildPackage, removePackage } from '../server/support/built-package.js';
import { killBins, runBin } from '../server/support/bin-process.js';
import { REDIS_URL, dropKeys, jobCounts, queueApp, unique } from './queue-fixtures.js';

const APP = { id: '42', key: 'work-key', secret: 'work-secret' };

/** A Pusher HTTP API that holds every request until the test releases it. */
async function holdingPusherApi() {
  const held: Array<{ body: { name: string; channels: string[] }; res: ServerResponse }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => held.push({ body: JSON.parse(raw), res }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    held,
    releaseAll: () => {
      for (const request of held)
        if (!request.res.writableEnded) request.res.writeHead(200).end('{}');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let pkg: string;
const redis = new Redis(REDIS_URL);
beforeAll(() => {
  pkg = buildPackage('work');
});
afterEach(() => killBins());
afterAll(async () => {
  removePackage(pkg);
  await dropKeys(redis, 'bull-test-*');
  await redis.quit();
});

describe('nestjs-broadcasting work', () => {
  it('sends waiting jobs with the configured driver, and on SIGTERM finishes the job in hand before exiting', async () => {
    const api = await holdingPusherApi();
    const prefix = unique('bull-test');
    const producer = await queueApp({ prefix });
    const manager = producer.get(BroadcastManager);
    await manager.send({ channels: 'orders', event: 'first', payload: { n: 1 }, queue: true });
    await manager.send({ channels: 'orders', event: 'second', payload: { n: 2 }, queue: true });
    expect(await jobCounts(redis, prefix, 'broadcasts')).toMatchObject({ wait: 2 });

    const bin = runBin(pkg, ['work'], {
      BROADCASTING_DEFAULT: 'pusher',
      BROADCASTING_APP_ID: APP.id,
      BROADCASTING_APP_KEY: APP.key,
      BROADCASTING_APP_SECRET: APP.secret,
      BROADCASTING_PUSHER_HOST: '127.0.0.1',
      BROADCASTING_PUSHER_PORT: String(api.port),
      BROADCASTING_PUSHER_SCHEME: 'http',
      BROADCASTING_QUEUE_URL: REDIS_URL,
      BROADCASTING_QUEUE_PREFIX: prefix,
    });
    await waitFor(
      () => api.held.length === 1,
      'the first job to reach the Pusher API',
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nstdout: ${bin.out.join('')}\nstderr: ${bin.err.join('')}`);
    });
    expect(api.held[0].body).toMatchObject({ name: 'first', channels: ['orders'] });

    bin.child.kill('SIGTERM');
    await waitFor(
      () => bin.lines('out').some((line) => line.includes('SIGTERM received')),
      'the signal to be logged',
      30_000,
    );
    expect(bin.child.exitCode).toBeNull(); // still finishing the job in hand
    api.releaseAll();
    expect(await bin.exit).toBe(0);

    const out = bin.lines('out').join('\n');
    expect(out).toContain('Broadcast worker serving queue(s) broadcasts with concurrency 1');
    expect(out).toContain('SIGTERM received: finishing the jobs in hand, then exiting.');
    expect(out).toContain('Broadcast worker stopping: finishing the jobs in hand');
    expect(out).toContain('Broadcast worker stopped');
    // The job in hand completed; the next one was never taken, and waits for the next worker.
    expect(api.held).toHaveLength(1);
    expect(await jobCounts(redis, prefix, 'broadcasts')).toMatchObject({
      wait: 1,
      active: 0,
      failed: 0,
    });
    await producer.close();
    await api.close();
  }, 120_000);

  it('logs JSON lines with --log-format json, and refuses bad flags with its own usage', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      env: {},
      cwd: pkg,
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
    };
    expect(await runWorkCommand(['work', '--help'], io)).toBe(0);
    expect(out).toEqual([WORK_USAGE]);
    expect(await runWorkCommand(['work', '--concurrency', '0'], io)).toBe(2);
    expect(err[0]).toBe(
      `nestjs-broadcasting: --concurrency must be a whole number of at least 1 (got "0").\n\n${WORK_USAGE}`,
    );
    expect(await runWorkCommand(['work', '--verbose'], io)).toBe(2);
    expect(err[1]).toContain('Unknown option --verbose for "work" (see --help).');

    const prefix = unique('bull-test');
    const bin = runBin(pkg, ['work', '--log-format', 'json', '--concurrency', '3'], {
      BROADCASTING_QUEUE_PREFIX: prefix,
      BROADCASTING_QUEUE_NAME: 'events',
    });
    await waitFor(() => bin.lines('out').length > 0, 'the started line', 60_000);
    expect(JSON.parse(bin.lines('out')[0])).toMatchObject({
      level: 'info',
      msg: 'Broadcast worker serving queue(s) events with concurrency 3',
      queues: ['events'],
      concurrency: 3,
    });
    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(0);
    for (const line of bin.lines('out')) expect(() => JSON.parse(line)).not.toThrow();
  }, 120_000);

  it('without bullmq installed: the app still sends inline, and work says what to install', async () => {
    const bare = buildPackage('no-bullmq', { without: ['bullmq'] });
    try {
      // Importing the package and sending inline never loads bullmq.
      const inline = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { BroadcastManager, resolveBroadcastConfig } from './dist/index.js';" +
            "const m = new BroadcastManager(await resolveBroadcastConfig({ default: 'null' }), {});" +
            "await m.send({ channels: 'orders', event: 'x' }); console.log('sent');",
        ],
        { cwd: bare, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
      );
      expect(inline.stderr).toBe('');
      expect(inline.stdout.trim()).toBe('sent');

      const bin = runBin(bare, ['work'], { BROADCASTING_QUEUE_PREFIX: unique('bull-test') });
      expect(await bin.exit).toBe(1);
      expect(bin.lines('err').join('\n')).toContain(
        'The broadcast worker needs the "bullmq" package, which is not installed. Run: npm install bullmq',
      );
    } finally {
      removePackage(bare);
    }
  }, 180_000);
});
