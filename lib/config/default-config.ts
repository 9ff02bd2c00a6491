import { CONFIG_KEYS } from './config-keys.js';
import type { ResolvedBroadcastConfig, ResolvedServerConfig } from './resolved-config.interface.js';

/**
 * The configuration with every key at its default and nothing read from files or the
 * environment: what the testing helpers use so tests do not depend on the machine.
 */
export function defaultBroadcastConfig(): ResolvedBroadcastConfig {
  const value = (path: string) => CONFIG_KEYS.find((key) => key.path === path)!.default;
  return {
    default: value('default') as string,
    app: {},
    redis: {
      url: value('redis.url') as string,
      prefix: value('redis.prefix') as string,
      sharded: false,
    },
    pusher: {},
    authEndpoint: value('authEndpoint') as string,
    userAuthEndpoint: value('userAuthEndpoint') as string,
    server: {
      host: value('server.host') as string,
      port: value('server.port') as number,
      workers: value('server.workers') as number,
      log: {
        level: value('server.log.level') as ResolvedServerConfig['log']['level'],
        format: value('server.log.format') as ResolvedServerConfig['log']['format'],
      },
      shutdownGraceSeconds: value('server.shutdownGraceSeconds') as number,
      webhooks: {
        timeoutSeconds: value('server.webhooks.timeoutSeconds') as number,
        retryWindowSeconds: value('server.webhooks.retryWindowSeconds') as number,
        maxPendingPerApp: value('server.webhooks.maxPendingPerApp') as number,
      },
      fromFile: {},
    },
    afterCommit: false,
    connections: {},
    sources: Object.fromEntries(
      CONFIG_KEYS.filter((key) => key.default !== undefined).map((key) => [
        key.path,
        'default' as const,
      ]),
    ),
  };
}
