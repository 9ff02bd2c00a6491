import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, uniquePrefix } from '../support/broadcast-server-harness.js';
import { RedisProcess } from '../scaling/support/cluster-harness.js';
import { TEST_APP } from '../support/engine-harness.js';
import { scrapeUntil, type Metrics } from '../support/metrics-scrape.js';

/**
 * `broadcasting_redis_up` against a redis-server of the test's own, killed and started
 * again on the same port: one series per Redis connection the server uses.
 */
let redis: RedisProcess;
beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(() => redis?.stop());

describe('Prometheus metrics: broadcasting_redis_up', () => {
  it('is 1 per Redis connection in use, 0 while Redis is down, and 1 again once it is back', async () => {
    const server = await startTestServer({
      apps: [TEST_APP],
      metrics: { port: 0 },
      scaling: 'redis',
      redis: { url: redis.url, prefix: uniquePrefix('metrics-redis') },
    });
    try {
      const up = (scaling: number, delivery: number) => (m: Metrics) =>
        m.value('broadcasting_redis_up', { connection: 'scaling' }) === scaling &&
        m.value('broadcasting_redis_up', { connection: 'delivery' }) === delivery;
      await scrapeUntil(server.metricsUrl!, up(1, 1), 'both connections up');

      await redis.stop();
      await scrapeUntil(server.metricsUrl!, up(0, 0), 'both connections down', 20_000);

      await redis.start();
      const back = await scrapeUntil(server.metricsUrl!, up(1, 1), 'both back up', 30_000);
      expect(back.samples.filter((s) => s.name === 'broadcasting_redis_up')).toHaveLength(2);
    } finally {
      await server.close();
    }
  }, 90_000);
});
