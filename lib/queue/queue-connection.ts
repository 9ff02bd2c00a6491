import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import { closeRedisClient, createRedisClient } from '../shared/redis/redis-clients.js';
import { loadIoredis } from '../shared/redis/load-ioredis.js';
import { isRedisCluster } from '../shared/redis/redis-target.js';
import { QueueMessages } from './queue-messages.js';
import type { ResolvedQueueConfig } from './queue-options.interface.js';

const NEEDED_BY = 'Queued broadcasting (the queue option)';

/** An ioredis client as BullMQ takes it; `owned` when this package made it (and closes it). */
export interface QueueConnection {
  client: object;
  owned: boolean;
}

function isClient(value: unknown): boolean {
  const candidate = value as { duplicate?: unknown; status?: unknown } | undefined;
  return typeof candidate?.duplicate === 'function' && typeof candidate.status === 'string';
}

/**
 * The producer's client fails fast: with no offline queue, `add()` rejects while Redis is
 * down instead of holding the dispatch forever, so no broadcast is lost silently. The
 * worker's retries forever (`maxRetriesPerRequest: null`, which BullMQ requires of it) and
 * picks the jobs up again when Redis is back. On a Redis Cluster the offline queue is the
 * cluster's and the retries each node's, which createRedisClient sorts out.
 */
const ROLE_OPTIONS = {
  producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  worker: { maxRetriesPerRequest: null },
} as const;

export async function openQueueConnection(
  config: ResolvedQueueConfig,
  role: keyof typeof ROLE_OPTIONS,
): Promise<QueueConnection> {
  if (isClient(config.connection)) {
    if (role === 'worker') checkWorkerClient(config.connection!);
    return { client: config.connection!, owned: false };
  }
  const client = config.cluster?.length
    ? await createRedisClient<object>({ url: config.url, cluster: config.cluster }, NEEDED_BY, {
        ...ROLE_OPTIONS[role],
      })
    : await openRedis(config, role);
  if (role === 'producer') await readyOrFailed(client as ReadyClient);
  return { client, owned: true };
}

/** One Redis: the connection's ioredis options, or its `url`, else the queue's URL. */
async function openRedis(
  config: ResolvedQueueConfig,
  role: keyof typeof ROLE_OPTIONS,
): Promise<object> {
  const Redis = await loadIoredis(NEEDED_BY);
  const { url, ...options } = (config.connection ?? {}) as Record<string, unknown>;
  const given = config.connection !== undefined && url === undefined;
  const client = given
    ? new (Redis as unknown as new (options: object) => object)({
        ...options,
        ...ROLE_OPTIONS[role],
      })
    : new Redis((url as string | undefined) ?? config.url, { ...options, ...ROLE_OPTIONS[role] });
  return client as object;
}

type ReadyClient = {
  status: string;
  once(event: 'ready' | 'error', listener: (error?: Error) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  disconnect(): void;
};

/**
 * The producer's client sends nothing before it is ready (no offline queue), so wait for
 * it; the first connection error rejects, and the next dispatch tries a new client.
 */
function readyOrFailed(client: ReadyClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      client.off('error', onError);
      resolve();
    };
    const onError = (error?: unknown) => {
      client.off('ready', onReady);
      client.disconnect();
      reject(error as Error);
    };
    client.once('ready', onReady);
    client.once('error', onError);
  });
}

export async function closeQueueConnection(connection: QueueConnection | undefined): Promise<void> {
  if (connection?.owned) await closeRedisClient(connection.client as never);
}

/** Redis's rule: a key hashes by what lies between its first `{` and the next `}`, if anything. */
function hasHashTag(prefix: string): boolean {
  return /^[^{]*\{[^}]+\}/.test(prefix);
}

/**
 * Fails the boot when the queue's Redis is a Redis Cluster (the `redis.cluster` nodes, or a
 * `Cluster` client given as `connection`) and the prefix has no hash tag: BullMQ's scripts
 * touch several keys of a queue at once, which a cluster refuses (CROSSSLOT) unless they share
 * a slot.
 */
export function checkQueuePrefix(config: ResolvedBroadcastConfig): void {
  const queue = config.queue;
  if (!queue) return;
  const onCluster = isClient(queue.connection)
    ? isRedisCluster(queue.connection)
    : Boolean(queue.cluster?.length);
  if (!onCluster || hasHashTag(queue.prefix)) return;
  const source = config.sources['queue.prefix'];
  throw new BroadcastConfigError(
    QueueMessages.prefixWithoutHashTag(queue.prefix, source, config.file),
    'queue.prefix',
    source,
  );
}

/**
 * BullMQ's worker blocks on its connection waiting for jobs, so it refuses a client that gives
 * up on a command after some retries, and it says so by throwing when the worker is made,
 * after the boot. An app's own client is checked here instead, at the boot, naming the key.
 */
function checkWorkerClient(client: object): void {
  const options = (client as { options?: Record<string, unknown> }).options ?? {};
  const own = isRedisCluster(client)
    ? (options.redisOptions as Record<string, unknown> | undefined)
    : options;
  const value = own?.maxRetriesPerRequest;
  if (value === null) return;
  throw new BroadcastConfigError(
    QueueMessages.workerClientRetries(value, isRedisCluster(client)),
    'queue.connection',
    'option',
  );
}
