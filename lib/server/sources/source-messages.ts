/**
 * Every log line and error of the sources that feed the server (the local hub and Redis),
 * in one place so wording stays consistent. Redis URLs reach here masked; payloads never.
 */
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const SourceMessages = {
  localPayloadNotJson: (event: string, error: unknown) =>
    `Local broadcast "${event}" dropped: its payload is not JSON-serializable (${reasonOf(error)}).`,

  localUnknownApp: (appId: string, served: readonly string[]) =>
    `Local broadcasts for app "${appId.slice(0, 60)}" are dropped: this server serves ` +
    `${served.map((id) => `"${id}"`).join(', ')}. Fix the local connection's appId. ` +
    `Further broadcasts for this app are dropped without a log line.`,

  /** Completes "... needs the ioredis package" when ioredis is missing. */
  redisNeededBy: () => "The broadcast server's Redis delivery",
  redisUnreachable: (maskedUrl: string, error: unknown) =>
    `The broadcast server cannot connect to Redis at ${maskedUrl} (${reasonOf(error)}). ` +
    `Start Redis or fix BROADCASTING_REDIS_URL / the server option redis.url.`,
  redisConnectionError: (maskedUrl: string, error: Error) =>
    `Redis delivery from ${maskedUrl}: ${error.message} (retrying).`,
  redisConnectionLost: (maskedUrl: string) =>
    `Redis delivery lost its connection to ${maskedUrl}; reconnecting.`,
  redisReconnected: (maskedUrl: string) =>
    `Redis delivery reconnected to ${maskedUrl} and subscribed again.`,
  redisCommandFailed: (subscribe: boolean, redisChannel: string, error: unknown) =>
    `Redis delivery could not ${subscribe ? 'SUBSCRIBE to' : 'UNSUBSCRIBE from'} ` +
    `"${redisChannel}": ${reasonOf(error)}.`,
  redisSubscribeSlow: (redisChannel: string, waitMs: number) =>
    `Redis delivery's SUBSCRIBE to "${redisChannel}" got no reply within ${waitMs} ms; ` +
    `confirming the subscription anyway (Redis broadcasts reach it once Redis answers).`,
  redisFanOutFailed: (redisChannel: string, error: unknown) =>
    `Redis broadcast on "${redisChannel}" failed to fan out: ${reasonOf(error)}.`,
  redisMessageDropped: (redisChannel: string, problem: string) =>
    `Dropped a Redis broadcast on "${redisChannel.slice(0, 120)}": ${problem}. Expected ` +
    `Laravel's body {"event": name, "data": payload, "socket": socketId|null}. ` +
    `Further messages with this problem are dropped without a log line.`,
} satisfies Record<string, (...args: any[]) => string>;
