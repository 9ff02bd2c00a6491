import type { ResolvedBroadcastConfig } from '../../../config/resolved-config.interface.js';
import { BroadcastConfigError } from '../../../errors/broadcast.exception.js';
import type { ServerLogger } from '../../../shared/logger.js';
import { resolveServerOptions } from '../../options/resolve-server-options.js';
import type { BroadcastServerOptions } from '../../options/server-options.interface.js';
import { withRedisDefault } from '../broadcast-server-runtime.js';
import { startWorkersPrimary, type WorkersSession } from './workers-primary.js';
import { WorkersMessages } from './workers-messages.js';

/**
 * `serve --workers N` in the primary: checks the whole server configuration once (so a
 * mistake fails here, not N times), refuses to run without scaling over Redis, and forks.
 * Without Redis each worker would be an island: a client of one would miss events
 * published to another's channels, presence and counts would split. The workers join as
 * separate nodes do, so whatever holds for several machines holds here.
 */
export function serveWorkers(
  argv: string[],
  options: BroadcastServerOptions,
  config: ResolvedBroadcastConfig,
  logger: ServerLogger,
): Promise<WorkersSession | number> {
  const resolved = resolveServerOptions(withRedisDefault(options, config), config);
  const { workers } = config.server;
  if (resolved.scaling !== 'redis')
    throw new BroadcastConfigError(
      WorkersMessages.needsScaling(workers, whereWorkers(config)),
      'server.workers',
      config.sources['server.workers'],
    );
  return startWorkersPrimary({
    workers,
    args: argv,
    graceSeconds: resolved.shutdownGraceSeconds,
    logger,
    metrics: resolved.metrics,
  });
}

function whereWorkers(config: ResolvedBroadcastConfig): string {
  switch (config.sources['server.workers']) {
    case 'option':
      return '--workers';
    case 'file':
      return `config file ${config.file}`;
    default:
      return 'env BROADCASTING_SERVER_WORKERS';
  }
}
