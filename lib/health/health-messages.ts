/** What the health indicator reports in words; in one place, like every area's messages. */
export const HealthMessages = {
  notStarted: () => 'The broadcast server has not started yet (it starts in onModuleInit).',
  /** The `redis` field of a server that uses no Redis (no scaling, no Redis delivery). */
  noRedis: () => 'not used',
} satisfies Record<string, (...args: any[]) => string>;
