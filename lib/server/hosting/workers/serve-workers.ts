import type { ResolvedBroadcastConfig } from '../../../config/resolved-config.interface.js';
import type { ServerLogger } from '../../../shared/logger.js';
import { resolveServerOptions } from '../../options/resolve-server-options.js';
import type { BroadcastServerOptions } from '../../options/server-options.interface.js';
import { withRedisDefault } from '../broadcast-server-runtime.js';
import { startWorkersPrimary, type WorkersSession } from './workers-primary.js';

/**
 * `serve --workers N` in the primary: checks the whole server configuration once (so a
 * mistake fails here, not N times), then forks. With scaling over Redis the workers join
 * as separate nodes do; without it, through the primary (the in-machine link, see
 * cluster/ipc/), so a client of one worker still gets what is published on another, and
 * presence and counts cover the machine.
 */
export function serveWorkers(
  argv: string[],
  options: BroadcastServerOptions,
  config: ResolvedBroadcastConfig,
  logger: ServerLogger,
): Promise<WorkersSession | number> {
  const resolved = resolveServerOptions(withRedisDefault(options, config), config);
  const { workers } = config.server;
  return startWorkersPrimary({
    link: resolved.scaling === 'redis' ? 'redis' : 'ipc',
    workers,
    args: argv,
    graceSeconds: resolved.shutdownGraceSeconds,
    logger,
    metrics: resolved.metrics,
  });
}
