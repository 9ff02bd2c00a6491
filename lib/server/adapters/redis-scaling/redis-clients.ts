import { createHash } from 'node:crypto';
import { loadIoredis } from '../../../support/load-ioredis.js';

/** The part of an ioredis client the scaling adapter uses (commands connection). */
export interface ScalingCommandClient {
  status: string;
  connect(): Promise<void>;
  publish(channel: string, message: string): Promise<number>;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** The part of an ioredis client the scaling adapter uses (the SUBSCRIBE connection). */
export interface ScalingSubscriberClient {
  status: string;
  connect(): Promise<void>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

export interface ScalingClients {
  commands: ScalingCommandClient;
  subscriber: ScalingSubscriberClient;
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
  const Redis = await loadIoredis('Broadcast server scaling (scaling: "redis")');
  const base = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 2_000,
    // Reconnect quickly once Redis is back: at most 1 s between attempts.
    retryStrategy: (times: number) => Math.min(times * 100, 1_000),
  };
  return {
    commands: new Redis(url, {
      ...base,
      enableAutoPipelining: true,
      connectionName: `nb-${nodeId}-cmd`,
    }) as ScalingCommandClient,
    subscriber: new Redis(url, {
      ...base,
      autoResubscribe: false,
      connectionName: `nb-${nodeId}-sub`,
    }) as ScalingSubscriberClient,
  };
}

const shas = new Map<string, string>();

/** EVALSHA, falling back to EVAL once when Redis has no copy (first run, or after a restart). */
export async function runScript(
  client: ScalingCommandClient,
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
