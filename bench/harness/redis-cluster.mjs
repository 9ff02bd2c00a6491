/**
 * A throwaway Redis Cluster for the bench: `masters` `redis-server --cluster-enabled yes`
 * processes in a temp dir on free ports (and their bus ports, +10000), joined by
 * `redis-cli --cluster create`. The tests have the same launcher in TypeScript, with kills,
 * restarts and replicas (test/support/redis-cluster.ts); the bench only needs start and stop.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function startRedisCluster({ masters = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-cluster-'));
  const ports = [];
  while (ports.length < masters) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (!ports.includes(port) && (await isFree(port)) && (await isFree(port + 10_000)))
      ports.push(port);
  }
  const children = ports.map((port) =>
    spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'],
        ...['--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no'],
        ...['--dir', dir],
      ],
      { stdio: 'ignore' },
    ),
  );
  // The run's watchdog exits the process: take the cluster along.
  const killAll = () =>
    children.forEach((child) => child.exitCode === null && child.kill('SIGKILL'));
  process.once('exit', killAll);
  const cli = (port, ...args) => run('redis-cli', ['-p', String(port), ...args]);
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          child.exitCode === null &&
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGKILL');
          }),
      ),
    );
    process.removeListener('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('the cluster nodes to answer', async () => {
      for (const port of ports)
        if ((await cli(port, 'PING')).stdout.trim() !== 'PONG') return false;
      return true;
    });
    const seeds = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...seeds,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await until('cluster_state:ok on every node', async () => {
      for (const port of ports)
        if (!(await cli(port, 'CLUSTER', 'INFO')).stdout.includes('cluster_state:ok')) return false;
      return true;
    });
    return {
      seeds,
      /** Shard channels matching `pattern` on each master, by port. */
      async shardChannels(pattern) {
        const counts = {};
        for (const port of ports) {
          const { stdout } = await cli(port, 'PUBSUB', 'SHARDCHANNELS', pattern);
          counts[port] = stdout.split('\n').filter(Boolean).length;
        }
        return counts;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function until(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
