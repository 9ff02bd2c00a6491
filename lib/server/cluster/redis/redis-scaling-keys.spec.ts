import { describe, expect, it } from 'vitest';
import { bucketIndex, CLUSTER_BUCKETS, RedisScalingKeys } from './redis-scaling-keys.js';

/**
 * The key names are a contract between nodes of every version that share a Redis: a node that
 * named a key differently, or hashed a channel to another bucket, would not see the others'
 * presence. Fixed vectors, so a change to either shows here first.
 */
const NS = 'myapp:nestjs-broadcasting:';

describe('RedisScalingKeys on a single Redis', () => {
  const keys = new RedisScalingKeys(NS);

  it('keeps one bucket under the plain namespace, with the key names of earlier versions', () => {
    expect(keys.buckets).toHaveLength(1);
    const [bucket] = keys.buckets;
    expect(bucket.namespace).toBe(NS);
    expect(bucket.nodes).toBe('myapp:nestjs-broadcasting:nodes');
    expect(bucket.alive('n1')).toBe('myapp:nestjs-broadcasting:node:n1');
    expect(bucket.nodePresence('n1')).toBe('myapp:nestjs-broadcasting:node:n1:presence');
    expect(bucket.nodeChannels('n1')).toBe('myapp:nestjs-broadcasting:node:n1:channels');
  });

  it('puts every channel in that bucket, under the presence and occupancy names of earlier versions', () => {
    for (const channel of ['presence-room', 'orders', 'presence-x'])
      expect(keys.bucketOf('app', channel)).toBe(keys.buckets[0]);
    expect(keys.presence('app', 'presence-room')).toBe(
      'myapp:nestjs-broadcasting:p:app:presence-room',
    );
    expect(keys.occupancy('app', 'orders')).toBe('myapp:nestjs-broadcasting:o:app:orders');
    expect(keys.namespace).toBe(NS);
  });
});

describe('RedisScalingKeys on a Redis Cluster', () => {
  const keys = new RedisScalingKeys(NS, true);

  it('splits presence and occupancy into 16 buckets, each its own hash tag', () => {
    expect(CLUSTER_BUCKETS).toBe(16);
    expect(keys.buckets.map((b) => b.index)).toEqual([...Array(16).keys()]);
    expect(keys.buckets[3].namespace).toBe('{myapp:nestjs-broadcasting:b3}');
    expect(keys.buckets[3].nodes).toBe('{myapp:nestjs-broadcasting:b3}nodes');
    expect(keys.buckets[3].nodePresence('n1')).toBe(
      '{myapp:nestjs-broadcasting:b3}node:n1:presence',
    );
  });

  it("names a channel's roster and occupancy keys in the channel's bucket", () => {
    expect(keys.bucketOf('app', 'presence-room').index).toBe(5);
    expect(keys.presence('app', 'presence-room')).toBe(
      '{myapp:nestjs-broadcasting:b5}p:app:presence-room',
    );
    expect(keys.occupancy('1', 'presence-lobby')).toBe(
      '{myapp:nestjs-broadcasting:b10}o:1:presence-lobby',
    );
  });

  it('keeps the namespace hash tag for state outside the buckets', () => {
    expect(keys.namespace).toBe('{myapp:nestjs-broadcasting:}');
  });
});

describe('bucketIndex', () => {
  it('is CRC-32 of `appId:channel` modulo the bucket count (fixed vectors)', () => {
    // CRC-32 (IEEE) of 'app:presence-room' is 2289510053, of '1:presence-lobby' 1793389466.
    expect(bucketIndex('app', 'presence-room', 2 ** 32)).toBe(2289510053);
    expect(bucketIndex('1', 'presence-lobby', 2 ** 32)).toBe(1793389466);
    expect(bucketIndex('app', 'presence-room', 16)).toBe(5);
    expect(bucketIndex('1', 'presence-lobby', 16)).toBe(10);
    expect(bucketIndex('test-app', 'orders', 16)).toBe(7);
    expect(bucketIndex('app', 'presence-x', 16)).toBe(0);
  });

  it('is 0 for every channel when there is one bucket', () => {
    expect(bucketIndex('app', 'presence-room', 1)).toBe(0);
  });

  it('spreads 300 channels over all 16 buckets', () => {
    const used = new Set(Array.from({ length: 300 }, (_, i) => bucketIndex('app', `c-${i}`, 16)));
    expect(used.size).toBe(16);
  });
});
