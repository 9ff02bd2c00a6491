import { Logger, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  BroadcastModule,
  type BroadcastModuleOptions,
  type BroadcastQueueOptions,
} from 'nestjs-broadcasting';
import { waitFor } from '../fixtures/core/wait-for.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A name no other test (or run) uses, for queues and Redis prefixes. */
export const unique = (what: string) =>
  `${what}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Records every PUBLISH under a prefix, through a real subscriber on `url` (on a Redis
 * Cluster, any node: a classic PUBLISH reaches every node).
 */
export async function publishedUnder(prefix: string, url = REDIS_URL) {
  const subscriber = new Redis(url);
  const messages: Array<{ channel: string; message: string }> = [];
  subscriber.on('pmessage', (_pattern, channel, message) => messages.push({ channel, message }));
  await subscriber.psubscribe(`${prefix}*`);
  return {
    messages,
    take: async (count: number, what = `${count} PUBLISH(es)`) => {
      await waitFor(() => messages.length >= count, what, 30_000);
      return messages.slice(0, count);
    },
    close: () => subscriber.quit(),
  };
}

/** Boots a BroadcastModule app (no HTTP) with a queue on a prefix of the test's own. */
export async function queueApp(
  queue: BroadcastQueueOptions,
  options: BroadcastModuleOptions = {},
  logger?: LoggerService,
) {
  const moduleRef = await Test.createTestingModule({
    imports: [BroadcastModule.forRoot({ queue: { url: REDIS_URL, ...queue }, ...options })],
  }).compile();
  if (logger) moduleRef.useLogger(logger);
  await moduleRef.init();
  return moduleRef;
}

/** A Nest logger that keeps the lines of each level. */
export function captureLogger() {
  const lines = { log: [] as string[], warn: [] as string[], error: [] as string[] };
  const logger: LoggerService = {
    log: (message: unknown) => void lines.log.push(String(message)),
    warn: (message: unknown) => void lines.warn.push(String(message)),
    error: (message: unknown) => void lines.error.push(String(message)),
  };
  return { lines, logger, restore: () => Logger.overrideLogger(new Logger()) };
}

/** Job counts by state, straight from BullMQ's keys (on one Redis or, by its client, a cluster). */
export async function jobCounts(
  redis: Pick<Redis, 'llen' | 'zcard'>,
  prefix: string,
  name: string,
) {
  const base = `${prefix}:${name}`;
  const [wait, active, failed, completed, delayed] = await Promise.all([
    redis.llen(`${base}:wait`),
    redis.llen(`${base}:active`),
    redis.zcard(`${base}:failed`),
    redis.zcard(`${base}:completed`),
    redis.zcard(`${base}:delayed`),
  ]);
  return { wait, active, failed, completed, delayed };
}

/** Removes every key of a BullMQ prefix (tests use their own). */
export async function dropKeys(redis: Redis, pattern: string) {
  const keys = await redis.keys(pattern);
  if (keys.length > 0) await redis.del(...keys);
}
