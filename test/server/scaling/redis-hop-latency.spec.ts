import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSdk, uniquePrefix } from '../support/broadcast-server-harness.js';
import { RawClient } from '../support/engine-harness.js';
import {
  APP,
  buildPackage,
  percentile,
  removePackage,
  RedisProcess,
  startNode,
  stopNodes,
  type ClusterNode,
} from './support/cluster-harness.js';

/**
 * The latency one Redis hop adds: the same subscriber on node A, the same HTTP API publish
 * sent to node A (direct fan-out) or to node B (PUBLISH, then node A's SUBSCRIBE), alternated
 * sample by sample. Samples per path: SCALING_LATENCY_SAMPLES (default 200).
 */
const SAMPLES = Number(process.env.SCALING_LATENCY_SAMPLES ?? 200);
let pkg: string;
let redis: RedisProcess;
let nodes: ClusterNode[];
let subscriber: RawClient;
const prefix = uniquePrefix('scaling-latency');

beforeAll(async () => {
  pkg = buildPackage();
  redis = await RedisProcess.start();
  nodes = await Promise.all([0, 1].map(() => startNode(pkg, { redisUrl: redis.url, prefix })));
  subscriber = await RawClient.connect(`ws://127.0.0.1:${nodes[0].port}/app/${APP.key}?protocol=7`);
  await subscriber.subscribe('latency');
}, 60_000);

afterAll(async () => {
  subscriber?.ws.terminate();
  await stopNodes();
  await redis?.stop();
  removePackage(pkg);
});

function received(seq: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sample ${seq} never arrived`)), 5000);
    const onMessage = (raw: Buffer) => {
      if (!raw.toString().includes(`"seq\\":${seq}}`)) return;
      clearTimeout(timer);
      subscriber.ws.off('message', onMessage);
      resolve(performance.now());
    };
    subscriber.ws.on('message', onMessage);
  });
}

describe('latency of one Redis hop', () => {
  it('measures publish-to-receive via the same node and via another node', async () => {
    const sdks = [serverSdk(nodes[0], APP), serverSdk(nodes[1], APP)];
    const samples: number[][] = [[], []];
    let seq = 0;
    for (let i = 0; i < SAMPLES * 2; i++) {
      const via = i % 2;
      const mySeq = ++seq;
      const arrival = received(mySeq);
      const sentAt = performance.now();
      await sdks[via].trigger('latency', 'ping', { seq: mySeq });
      samples[via].push((await arrival) - sentAt);
    }
    const [same, other] = samples.map((s) => s.sort((a, b) => a - b));
    const fmt = (s: number[]) =>
      `p50 ${percentile(s, 50).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms`;
    console.log(
      `[scaling] HTTP publish -> subscriber on node A, ${SAMPLES} samples each:\n` +
        `  via node A (no hop):      ${fmt(same)}\n` +
        `  via node B (Redis hop):   ${fmt(other)}\n` +
        `  extra p50 ${(percentile(other, 50) - percentile(same, 50)).toFixed(2)} ms, ` +
        `extra p99 ${(percentile(other, 99) - percentile(same, 99)).toFixed(2)} ms`,
    );
    expect(subscriber.all('ping')).toHaveLength(SAMPLES * 2);
    expect(same).toHaveLength(SAMPLES);
    expect(other).toHaveLength(SAMPLES);
  }, 120_000);
});
