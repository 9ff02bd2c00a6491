import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';

/**
 * A real Redis Cluster for tests: `redis-server --cluster-enabled yes` processes in a temp dir
 * on free ports, joined by `redis-cli --cluster create`. Each node keeps its nodes-P.conf in
 * the dir, so a killed node restarts with its identity (and, without persistence, empty).
 * Every wait polls a condition with a generous deadline: the test machine is a busy 2-core VM.
 */
export class RedisClusterProcess {
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    readonly dir: string,
    /** Every node's port, masters first as `--cluster create` assigns them. */
    readonly ports: number[],
  ) {}

  /** Seed list as BROADCASTING_REDIS_CLUSTER takes it: `127.0.0.1:P,...`. */
  get seeds(): string[] {
    return this.ports.map((port) => `127.0.0.1:${port}`);
  }

  /**
   * Starts `masters * (1 + replicasPerMaster)` nodes and creates the cluster; resolves once
   * every node says `cluster_state:ok` and (with replicas) every replica is in sync.
   */
  static async start({
    masters = 3,
    replicasPerMaster = 0,
  }: { masters?: number; replicasPerMaster?: number } = {}): Promise<RedisClusterProcess> {
    const count = masters * (1 + replicasPerMaster);
    const cluster = new RedisClusterProcess(
      mkdtempSync(join(tmpdir(), 'nb-redis-cluster-')),
      await freeClusterPorts(count),
    );
    try {
      await Promise.all(cluster.ports.map((port) => cluster.startNode(port)));
      await run('redis-cli', [
        '--cluster',
        'create',
        ...cluster.seeds,
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      ]);
      await cluster.waitHealthy();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Starts (or restarts) the node on `port` and waits until it answers PING. */
  async startNode(port: number): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        // Short, so a failover takes seconds; long enough that a busy machine's stall is no fault.
        '--cluster-node-timeout',
        '3000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--logfile',
        `redis-${port}.log`,
      ],
      { stdio: 'ignore' },
    );
    this.children.set(port, child);
    await waitUntil(`redis-server on ${port} to answer`, 20_000, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited`);
      return (await command(port, 'PING')) === 'PONG';
    });
  }

  /** SIGKILL: a crash. Waits for the process to be gone. */
  async killNode(port: number): Promise<void> {
    const child = this.children.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  /** The ports of the current masters (they change after a failover). */
  async masterPorts(): Promise<number[]> {
    const nodes = await this.clusterNodes();
    return nodes
      .filter((node) => node.flags.includes('master') && !node.flags.includes('fail'))
      .map((node) => node.port)
      .sort((a, b) => a - b);
  }

  /** Which port serves the slot of `key` right now. */
  async ownerOf(key: string): Promise<number> {
    return this.ownerOfSlot(await this.slotOf(key));
  }

  private async ownerOfSlot(slot: number): Promise<number> {
    const nodes = await this.clusterNodes();
    const owner = nodes.find(
      (node) =>
        node.flags.includes('master') &&
        !node.flags.includes('fail') &&
        node.ranges.some(([from, to]) => slot >= from && slot <= to),
    );
    if (!owner) throw new Error(`no live master serves slot ${slot}`);
    return owner.port;
  }

  /** The hash slot of a key or shard channel. */
  async slotOf(key: string): Promise<number> {
    return Number(await command(this.livePort(), 'CLUSTER', 'KEYSLOT', key));
  }

  /**
   * Moves one (keyless) slot to the master on `toPort` the way resharding does (IMPORTING /
   * MIGRATING, then SETSLOT NODE on every master), so clients meet MOVED / ASK redirections.
   */
  async moveSlot(slot: number, toPort: number): Promise<void> {
    const fromPort = await this.ownerOfSlot(slot);
    const toId = String(await command(toPort, 'CLUSTER', 'MYID'));
    const fromId = String(await command(fromPort, 'CLUSTER', 'MYID'));
    await command(toPort, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', fromId);
    await command(fromPort, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', toId);
    // Once per node, target first: Redis drops a slot's shard subscribers on every SETSLOT
    // NODE, even one naming itself, so a second one would undo what clients subscribed since.
    const order = [...new Set([toPort, fromPort, ...(await this.masterPorts())])];
    for (const port of order) await command(port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId);
    await this.waitHealthy();
  }

  /** `PUBSUB SHARDCHANNELS pattern` on one node. */
  async shardChannels(port: number, pattern = '*'): Promise<string[]> {
    return (await command(port, 'PUBSUB', 'SHARDCHANNELS', pattern)) as string[];
  }

  /** Classic SUBSCRIBErs of `channel` across the live nodes (each counts its own clients). */
  async classicSubscribers(channel: string): Promise<number> {
    let total = 0;
    for (const [port, child] of this.children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const [, count] = (await command(port, 'PUBSUB', 'NUMSUB', channel)) as [string, number];
      total += Number(count);
    }
    return total;
  }

  /**
   * Every live node reports `cluster_state:ok`, sees every other live node, and (with
   * replicas) every replica's link to its master is up.
   */
  async waitHealthy(ms = 60_000): Promise<void> {
    await waitUntil('the Redis Cluster to be healthy', ms, async () => {
      const dead = new Set(
        [...this.children]
          .filter(([, child]) => child.exitCode !== null || child.signalCode !== null)
          .map(([port]) => port),
      );
      for (const [port] of this.children) {
        if (dead.has(port)) continue;
        // Each "not yet" throws its reason, which a timeout then reports.
        const info = String(await command(port, 'CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok')) {
          const view = (await this.clusterNodes(port)).map((n) => `${n.port}:${n.flags.join(',')}`);
          throw new Error(`${port}: cluster_state not ok; it sees ${view.join(' ')}`);
        }
        // A killed node stays listed as failed until it restarts; the others must be fine.
        const nodes = await this.clusterNodes(port);
        const bad = nodes.find(
          (node) => !dead.has(node.port) && /fail|handshake|noaddr/.test(node.flags.join(',')),
        );
        if (bad) throw new Error(`${port} sees ${bad.port} as ${bad.flags.join(',')}`);
        const replication = String(await command(port, 'INFO', 'replication'));
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up'))
          throw new Error(`${port}: its replication link to its master is down`);
      }
      return true;
    });
  }

  /** An ioredis `Cluster` on these nodes, for publishing and inspecting from a test. */
  client(options: Record<string, unknown> = {}): Cluster {
    const client = new Cluster(
      this.ports.map((port) => ({ host: '127.0.0.1', port })),
      options,
    );
    client.on('error', () => {});
    return client;
  }

  /** Kills every node and removes the dir (kept when NB_KEEP_REDIS_CLUSTER is set, for its logs). */
  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((port) => this.killNode(port)));
    if (!process.env.NB_KEEP_REDIS_CLUSTER) rmSync(this.dir, { recursive: true, force: true });
  }

  private livePort(): number {
    for (const [port, child] of this.children)
      if (child.exitCode === null && child.signalCode === null) return port;
    throw new Error('no Redis Cluster node is running');
  }

  private async clusterNodes(port = this.livePort()) {
    const text = String(await command(port, 'CLUSTER', 'NODES'));
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [, address, flags, , , , , , ...slots] = line.split(' ');
        return {
          port: Number(address.split('@')[0].split(':')[1]),
          flags: flags.split(','),
          ranges: slots
            .filter((range) => !range.startsWith('['))
            .map((range) => {
              const [from, to = from] = range.split('-').map(Number);
              return [from, to] as [number, number];
            }),
        };
      });
  }
}

/** One command on one node over a short-lived connection; rejects if the node is down. */
async function command(port: number, name: string, ...args: string[]): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.call(name, ...args);
  } finally {
    client.disconnect();
  }
}

/** Polls `check` every 100 ms (a rejection counts as "not yet") until true, or throws after `ms`. */
export async function waitUntil(
  what: string,
  ms: number,
  check: () => Promise<boolean> | boolean,
): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${ms} ms waiting for ${what}${last ? ` (${last})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed: ${output}`)),
    );
  });
}

/**
 * `count` ports whose cluster bus port (port + 10000) is free too, below the kernel's
 * ephemeral range so no outgoing connection takes one meanwhile.
 */
async function freeClusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (ports.includes(port)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
