import type { RedisCommandClient } from '../../shared/redis/redis-clients.js';
import { runScript } from '../cluster/redis/scaling-clients.js';
import type { PendingWebhook } from './pending-webhook.js';
import type { WebhookStore } from './webhook-store.interface.js';

/** KEYS: due ZSET, webhooks HASH. ARGV: id, JSON, due time, cap. 0 when the app's queue is full. */
const ADD_SCRIPT = `
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/** KEYS: due, webhooks. ARGV: now, lease end, limit. Leases and returns the due webhooks' JSON. */
const CLAIM_SCRIPT = `
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))) do
  local json = redis.call('HGET', KEYS[2], id)
  if json then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    out[#out + 1] = json
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`;

/** KEYS: due, webhooks. ARGV: id, JSON, due time. Only while it is still pending. */
const RETRY_SCRIPT = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/**
 * Pending webhooks in Redis, per app: `{ns}wh:{app}:due` (ZSET id → due time) and
 * `{ns}wh:{app}:jobs` (HASH id → the signed request as JSON). Each step is one script, so
 * two nodes claiming at once get different webhooks; the body is signed already and no
 * secret is stored.
 */
export class RedisWebhookStore implements WebhookStore {
  constructor(
    private readonly redis: RedisCommandClient,
    private readonly namespace: string,
  ) {}

  async add(webhook: PendingWebhook, dueAt: number, cap: number): Promise<boolean> {
    const added = await runScript(this.redis, ADD_SCRIPT, this.keys(webhook.appId), [
      webhook.id,
      JSON.stringify(webhook),
      dueAt,
      cap,
    ]);
    return added === 1;
  }

  async claimDue(appId: string, now: number, leaseUntil: number, limit: number) {
    const found = (await runScript(this.redis, CLAIM_SCRIPT, this.keys(appId), [
      now,
      leaseUntil,
      limit,
    ])) as string[];
    return found.map((json) => JSON.parse(json) as PendingWebhook);
  }

  async remove(webhook: PendingWebhook): Promise<void> {
    const [due, jobs] = this.keys(webhook.appId);
    await Promise.all([
      this.redis.call('ZREM', due, webhook.id),
      this.redis.call('HDEL', jobs, webhook.id),
    ]);
  }

  async retryAt(webhook: PendingWebhook, dueAt: number): Promise<void> {
    await runScript(this.redis, RETRY_SCRIPT, this.keys(webhook.appId), [
      webhook.id,
      JSON.stringify(webhook),
      dueAt,
    ]);
  }

  async pending(appId: string): Promise<number> {
    return (await this.redis.call('ZCARD', this.keys(appId)[0])) as number;
  }

  private keys(appId: string): [string, string] {
    const base = `${this.namespace}wh:${appId}`;
    return [`${base}:due`, `${base}:jobs`];
  }
}
