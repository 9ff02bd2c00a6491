/**
 * Every message of Redis scaling (boot errors and the operator's log lines), in one place so
 * the wording stays consistent and each says what happens next. `where` is always the masked
 * URL (maskRedisUrl): no message may carry the Redis password.
 */
export const reasonOf = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const ScalingMessages = {
  /** Names the feature in the "install ioredis" error. */
  neededBy: () => 'Broadcast server scaling (scaling: "redis")',

  bootFailed: (where: string, reason: string) =>
    `Broadcast server scaling cannot use Redis at ${where} (${reason}). ` +
    `Start Redis or fix BROADCASTING_REDIS_URL / BROADCASTING_REDIS_CLUSTER (the server option ` +
    `redis.url / redis.cluster).`,

  /** The boot's reason when Redis said nothing more precise. */
  firstHeartbeatFailed: () => 'the heartbeat failed',

  joined: (nodeId: string, namespace: string, where: string) =>
    `Scaling: node ${nodeId} joined the cluster "${namespace}" at ${where}.`,

  left: (nodeId: string, namespace: string) =>
    `Scaling: node ${nodeId} left the cluster "${namespace}" (its presence members are gone for the other nodes).`,

  lost: (where: string, lastError: string) =>
    `Scaling: lost Redis at ${where}${lastError ? ` (${lastError})` : ''}; ` +
    `serving this node's subscribers only until it is back (GET /up reports degraded).`,

  back: (where: string, channels: number, droppedMeanwhile: number) =>
    `Scaling: Redis at ${where} is back; resubscribed ${channels} channels` +
    `${droppedMeanwhile ? ` (${droppedMeanwhile} cluster publishes were dropped meanwhile)` : ''}.`,

  subscribeFailed: (redisChannel: string, error: unknown) =>
    `Scaling: SUBSCRIBE to "${redisChannel}" failed (${reasonOf(error)}); this node's ` +
    `subscribers get local messages only until Redis is back.`,

  subscribeSlow: (redisChannel: string, waitedMs: number) =>
    `Scaling: SUBSCRIBE to "${redisChannel}" got no reply within ${waitedMs} ` +
    `ms; confirming the subscription anyway.`,

  nodesSwept: (deadNodes: string[], members: number) =>
    `Scaling: node${deadNodes.length > 1 ? 's' : ''} ${deadNodes.join(', ')} stopped ` +
    `heartbeating; removed ${plural(members, 'presence member')}.`,

  shardDown: (node: string, slots: number, reason: string) =>
    `Scaling: Redis Cluster shard ${node} (${plural(slots, 'slot')}) does not answer (${reason}); ` +
    `channels on its slots reach this node's subscribers only until it or a promoted replica ` +
    `answers (GET /up reports degraded).`,

  shardUp: (node: string, slots: number) =>
    `Scaling: Redis Cluster shard ${node} (${plural(slots, 'slot')}) answers; ioredis ` +
    `subscribes its channels again.`,

  shardGone: (node: string) =>
    `Scaling: ${node} no longer serves slots as a master (failover or resharding); its ` +
    `channels moved to the shard that owns their slots now.`,
};
