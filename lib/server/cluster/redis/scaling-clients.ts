import { createHash } from 'node:crypto';
import {
  createRedisClient,
  type RedisCommandClient,
  type RedisSubscriberClient,
} from '../../../shared/redis/redis-clients.js';
import { ScalingMessages } from './scaling-messages.js';

export interface ScalingClients {
  commands: RedisCommandClient;
  subscriber: RedisSubscriberClient;
}

/**
 * Loads `ioredis` (an optional peer, only when scaling is on) and builds the two connections
 * the adapter needs: a subscribed connection cannot send other commands.
 *
 * Both fail fast while disconnected (`enableOfflineQueue: false`) instead of queueing: the
 * adapter falls back to local answers and counts what it dropped, so an outage cannot grow
 * memory. Subscriptions are restored by the adapter itself (`autoResubscribe: false`), from
 * the set of channels that have local subscribers at reconnect time.
 */
export async function createScalingClients(url: string, nodeId: string): Promise<ScalingClients> {
  const neededBy = ScalingMessages.neededBy();
  const base = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 2_000,
    // Reconnect quickly once Redis is back: at most 1 s between attempts.
    retryStrategy: (times: number) => Math.min(times * 100, 1_000),
  };
  return {
    commands: await createRedisClient<RedisCommandClient>(url, neededBy, {
      ...base,
      enableAutoPipelining: true,
      connectionName: `nb-${nodeId}-cmd`,
    }),
    subscriber: await createRedisClient<RedisSubscriberClient>(url, neededBy, {
      ...base,
      autoResubscribe: false,
      connectionName: `nb-${nodeId}-sub`,
    }),
  };
}

const shas = new Map<string, string>();

/** EVALSHA, falling back to EVAL once when Redis has no copy (first run, or after a restart). */
export async function runScript(
  client: RedisCommandClient,
  script: string,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  let sha = shas.get(script);
  if (!sha) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
  try {
    return await client.call('EVALSHA', sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return client.call('EVAL', script, keys.length, ...keys, ...args);
  }
}

/** SUBSCRIBEs to every channel, at most 1000 per command so no command grows unbounded. */
export function subscribeInBatches(
  subscriber: RedisSubscriberClient,
  channels: string[],
): Promise<unknown> {
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < channels.length; i += 1000)
    batches.push(subscriber.subscribe(...channels.slice(i, i + 1000)));
  return Promise.all(batches);
}
