import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../support/engine-harness.js';
import { serverSdk, uniquePrefix, waitFor } from '../support/broadcast-server-harness.js';
import { buildPackage, removePackage } from '../support/built-package.js';

/**
 * The bin as users run it: `npm run build` output plus bin/nestjs-broadcasting.mjs, in a
 * package root of its own (a temp dir, so the shared dist/ is left alone), spawned as a
 * real child process.
 */
let pkg: string;
const children: ChildProcess[] = [];
const APP = { id: 'bin-app', key: 'bin-key', secret: 'bin-secret' };

beforeAll(() => {
  pkg = buildPackage('bin');
}, 120_000);
afterAll(() => removePackage(pkg));
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Run {
  child: ChildProcess;
  out: string[];
  err: string[];
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Run {
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(pkg, 'bin/nestjs-broadcasting.mjs'), ...args],
    {
      cwd: pkg,
      env: { PATH: process.env.PATH ?? '', ...env },
    },
  );
  children.push(child);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => err.push(String(d)));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out, err, exit };
}

async function listening(r: Run): Promise<{ url: string; port: number }> {
  const line = await waitFor(
    () => r.out.join('').match(/listening on (http:\/\/[^\s]+)/),
    // Generous: under load a fresh node process can take tens of seconds to boot.
    45_000,
    `the listening line (stderr: ${r.err.join('')})`,
  );
  const url = line[1];
  return { url, port: Number(new URL(url).port) };
}

const appEnv = {
  BROADCASTING_APP_ID: APP.id,
  BROADCASTING_APP_KEY: APP.key,
  BROADCASTING_APP_SECRET: APP.secret,
  BROADCASTING_SERVER_HOST: '127.0.0.1',
  BROADCASTING_SERVER_PORT: '0',
};

describe('nestjs-broadcasting serve (the bin)', { timeout: 90_000 }, () => {
  it('serves the env-configured app, delivers from the HTTP API and Redis, and exits 0 on SIGTERM', async () => {
    const prefix = uniquePrefix('bin');
    const r = run(['serve'], {
      ...appEnv,
      BROADCASTING_REDIS_URL: 'redis://127.0.0.1:6379',
      BROADCASTING_REDIS_PREFIX: prefix,
    });
    const { url, port } = await listening(r);
    expect(r.out.join('')).toContain(`/app/${APP.key}`);

    const client = await RawClient.connect(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7`);
    await client.subscribe('news');
    await serverSdk({ port }, APP).trigger('news', 'from-api', { n: 1 });
    await client.next('from-api', 'news');

    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      await waitFor(
        async () =>
          Number(((await redis.pubsub('NUMSUB', `${prefix}news`)) as [string, number])[1]) > 0,
      );
      await redis.publish(
        `${prefix}news`,
        JSON.stringify({ event: 'from-redis', data: { n: 2 }, socket: null }),
      );
      expect((await client.next('from-redis', 'news')).data).toBe('{"n":2}');
    } finally {
      await redis.quit();
    }

    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(await client.closed()).toBe(4200);
    expect(r.out.join('')).toMatch(/SIGTERM received/);
    await expect(fetch(`${url}/up`)).rejects.toThrow();
  });

  it('exits 0 on SIGINT too', async () => {
    const r = run(['serve'], appEnv);
    await listening(r);
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(0);
  });

  it('lets --host and --port override the environment', async () => {
    const r = run(['serve', '--port', '0', '--host=127.0.0.1'], {
      ...appEnv,
      BROADCASTING_SERVER_PORT: '1',
    });
    const { url } = await listening(r);
    expect((await fetch(`${url}/up`)).status).toBe(200);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('joins a Redis cluster with --scaling redis (GET /up reports it)', async () => {
    const r = run(
      [
        'serve',
        '--scaling',
        'redis',
        '--redis-url',
        'redis://127.0.0.1:6379',
        '--redis-prefix',
        uniquePrefix('bin-scaling'),
      ],
      appEnv,
    );
    const { url } = await listening(r);
    const up = await fetch(`${url}/up`);
    expect(up.status).toBe(200);
    expect((await up.json()).scaling).toMatchObject({ redis: 'connected' });
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('reads the app and port from the --config file', async () => {
    const file = join(pkg, 'broadcasting.test.json');
    writeFileSync(file, JSON.stringify({ app: APP, server: { host: '127.0.0.1', port: 0 } }));
    const r = run(['serve', '--config', file]);
    const { port } = await listening(r);
    const client = await RawClient.connect(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7`);
    expect(client.socketId).toMatch(/^\d+\.\d+$/);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('takes its variables from an env file through node --env-file (docs/deployment.md)', async () => {
    const file = join(pkg, 'broadcasting.test.env');
    writeFileSync(
      file,
      Object.entries(appEnv)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
    );
    const r = run(['serve'], {}, [`--env-file=${file}`]);
    const { port } = await listening(r);
    const client = await RawClient.connect(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7`);
    expect(client.socketId).toMatch(/^\d+\.\d+$/);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('exits 1 with the configuration error, naming the key to set', async () => {
    const r = run(['serve', '--port', '0']);
    expect(await r.exit).toBe(1);
    // Every missing credential at once: one restart, not three.
    expect(r.err.join('')).toMatch(
      /BROADCASTING_APP_ID, BROADCASTING_APP_KEY and BROADCASTING_APP_SECRET/,
    );
    expect(r.err.join('')).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('exits 1 naming redis.cluster when --redis-cluster is not a seed list', async () => {
    const r = run(['serve', '--redis-cluster', 'nohost:port'], appEnv);
    expect(await r.exit).toBe(1);
    expect(r.err.join('')).toMatch(/redis\.cluster = "nohost:port".*host:port/);
    expect(r.err.join('')).toMatch(/--redis-cluster/);
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const r = run(['serve', '--port', 'eighty']);
    expect(await r.exit).toBe(2);
    expect(r.err.join('')).toMatch(/--port must be a number/);
    expect(r.err.join('')).toMatch(/Usage: nestjs-broadcasting serve/);
  });
});
