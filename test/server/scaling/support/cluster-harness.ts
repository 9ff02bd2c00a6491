import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { TEST_APP } from '../../support/engine-harness.js';

/**
 * Real processes for the scaling tests: one `redis-server` of the test's own on a free port
 * (so a test may stop and restart it), and broadcast server nodes run by the standalone bin
 * from a fresh build in a temp package root (several test files build concurrently; each
 * builds its own, so the shared dist/ is never half-written under another file).
 */
const root = resolve(import.meta.dirname, '../../../..');
export const APP = TEST_APP;

/** Builds lib/ into `<tmp>/dist` with the bin beside it; returns the package root. */
export function buildPackage(): string {
  const pkg = mkdtempSync(join(tmpdir(), 'nestjs-broadcasting-scaling-'));
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(pkg, 'dist'),
    ],
    { cwd: root, stdio: 'ignore' },
  );
  if (!existsSync(join(pkg, 'dist/server/adapters/redis-scaling/redis-scaling.adapter.js')))
    throw new Error('tsc did not emit the scaling adapter into the temp package');
  mkdirSync(join(pkg, 'bin'));
  copyFileSync(join(root, 'bin/nestjs-broadcasting.mjs'), join(pkg, 'bin/nestjs-broadcasting.mjs'));
  copyFileSync(join(import.meta.dirname, '../fixtures/node.mjs'), join(pkg, 'node.mjs'));
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'scaling-under-test', type: 'module' }),
  );
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  return pkg;
}

export function removePackage(pkg: string | undefined): void {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** A `redis-server` of the test's own, without persistence, on a free port. */
export class RedisProcess {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis(this.port, '127.0.0.1', {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          await this.stop(); // never leave an orphan redis-server behind
          throw error;
        }
        await sleep(25);
      } finally {
        client.disconnect();
      }
    }
  }

  /** Kills it (SIGKILL: an outage, not a shutdown) and waits for the process to be gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  /** SIGSTOP / SIGCONT: a Redis that hangs with its connections open. */
  pause(paused: boolean): void {
    this.child?.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  client(): Redis {
    const client = new Redis(this.port, '127.0.0.1');
    client.on('error', () => {});
    return client;
  }
}

export interface ClusterNode {
  port: number;
  url: string;
  child: ChildProcess;
  out: string[];
  err: string[];
  /** SIGKILL (a crash) or SIGTERM (a clean stop), then waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface NodeEnv {
  redisUrl: string;
  prefix: string;
  /** Extra env (e.g. BROADCASTING_REDIS_PREFIX overrides). */
  env?: Record<string, string>;
  /** Run test/server/scaling/fixtures/node.mjs with these startBroadcastServer options instead of the bin. */
  fixtureOptions?: object;
}

const nodes: ClusterNode[] = [];

/** Starts one node with `nestjs-broadcasting serve` (or the fixture) and waits until it listens. */
export async function startNode(pkg: string, opts: NodeEnv): Promise<ClusterNode> {
  const env = {
    PATH: process.env.PATH ?? '',
    BROADCASTING_APP_ID: APP.id,
    BROADCASTING_APP_KEY: APP.key,
    BROADCASTING_APP_SECRET: APP.secret,
    BROADCASTING_SERVER_HOST: '127.0.0.1',
    BROADCASTING_SERVER_PORT: '0',
    BROADCASTING_SERVER_SCALING: 'redis',
    BROADCASTING_REDIS_URL: opts.redisUrl,
    BROADCASTING_REDIS_PREFIX: opts.prefix,
    ...(opts.fixtureOptions ? { NODE_OPTIONS_JSON: JSON.stringify(opts.fixtureOptions) } : {}),
    ...opts.env,
  };
  const script = opts.fixtureOptions
    ? join(pkg, 'node.mjs')
    : join(pkg, 'bin/nestjs-broadcasting.mjs');
  const args = opts.fixtureOptions ? [] : ['serve'];
  const child = spawn(process.execPath, [script, ...args], { cwd: pkg, env });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => err.push(String(d)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const node: ClusterNode = {
    port: 0,
    url: '',
    child,
    out,
    err,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  nodes.push(node);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out.join(''));
    if (match) {
      node.url = match[1];
      node.port = Number(match[2]);
      return node;
    }
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`node did not start: ${err.join('')}${out.join('')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills every node this file started. */
export async function stopNodes(): Promise<void> {
  await Promise.all(nodes.splice(0).map((node) => node.kill('SIGKILL')));
}

/** GET /up of a node. */
export async function health(node: { url: string }): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node.url}/up`);
  return { status: res.status, body: await res.json() };
}

/** Percentile of sorted numbers. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
