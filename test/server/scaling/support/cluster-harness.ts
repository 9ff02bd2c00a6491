import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { clientFor, uniquePrefix } from '../../support/broadcast-server-harness.js';
import { buildPackage as buildBinPackage, removePackage } from '../../support/built-package.js';
import { RawClient, TEST_APP, type PusherClient } from '../../support/engine-harness.js';

export { removePackage };

/**
 * Real processes for the scaling tests: one `redis-server` of the test's own on a free port
 * (so a test may stop and restart it), and broadcast server nodes run by the standalone bin
 * from a fresh build in a temp package root (see built-package.ts).
 */
export const APP = TEST_APP;

/** The built package, plus fixtures/node.mjs (a node started from code) at its root. */
export function buildPackage(): string {
  const pkg = buildBinPackage('scaling');
  copyFileSync(join(import.meta.dirname, '../fixtures/node.mjs'), join(pkg, 'node.mjs'));
  return pkg;
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
  /** Extra flags after `serve` (the bin only). */
  flags?: string[];
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
  const args = opts.fixtureOptions ? [] : ['serve', ...(opts.flags ?? [])];
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
  // Generous: on a loaded two-core machine a node process can take tens of seconds to boot.
  const deadline = Date.now() + 45_000;
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

export interface Cluster {
  /** The Redis key/channel prefix of this file's cluster. */
  readonly prefix: string;
  /** The nodes started for the file, filled in beforeAll. */
  readonly nodes: ClusterNode[];
  /** The temp package the nodes run from (set in beforeAll). */
  readonly pkg: string;
  /** This file's own redis-server (set in beforeAll). */
  readonly redis: RedisProcess;
  /** One more node on the same Redis and prefix (killed with the others after the file). */
  startNode(opts?: Partial<NodeEnv>): Promise<ClusterNode>;
  /** pusher-js on a node, disconnected after the file. */
  pusher(node: { port: number }, user?: { id: string; info?: unknown }): PusherClient;
  /** A raw client on a node, connected (connection_established seen), terminated after the file. */
  raw(node: { port: number }): Promise<RawClient>;
  /** Adds a raw client made elsewhere to the ones terminated after the file. */
  track(raw: RawClient): RawClient;
}

/**
 * The setup every scaling spec shares: builds the package, starts its own redis-server and
 * `size` bin nodes before the file's tests, and after them closes every client made through
 * it, kills the nodes and Redis and removes the package.
 */
export function useCluster(name: string, size: number): Cluster {
  let pkg = '';
  let redis: RedisProcess | undefined;
  const nodes: ClusterNode[] = [];
  const clients: PusherClient[] = [];
  const raws: RawClient[] = [];
  const prefix = uniquePrefix(name);
  const cluster: Cluster = {
    prefix,
    nodes,
    get pkg() {
      return pkg;
    },
    get redis() {
      if (!redis) throw new Error('the cluster starts in beforeAll');
      return redis;
    },
    startNode: (opts = {}) => startNode(pkg, { redisUrl: cluster.redis.url, prefix, ...opts }),
    pusher(node, user) {
      const client = clientFor(node, { app: APP, user });
      clients.push(client);
      return client;
    },
    async raw(node) {
      return cluster.track(
        await RawClient.connect(`ws://127.0.0.1:${node.port}/app/${APP.key}?protocol=7`),
      );
    },
    track(raw) {
      raws.push(raw);
      return raw;
    },
  };
  beforeAll(async () => {
    pkg = buildPackage();
    redis = await RedisProcess.start();
    nodes.push(...(await Promise.all(Array.from({ length: size }, () => cluster.startNode()))));
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const raw of raws) raw.ws.terminate();
    await stopNodes();
    await redis?.stop();
    removePackage(pkg);
  });
  return cluster;
}
