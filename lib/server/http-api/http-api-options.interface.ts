import type { ServerLogger } from '../../shared/logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.interface.js';

export interface HttpApiOptions {
  /**
   * Where unexpected failures (a 500) are reported; request mistakes are not logged.
   * @default consoleLogger
   */
  logger?: ServerLogger;
  /**
   * The clock `auth_timestamp` is checked against, in whole seconds since the epoch.
   * @default () => Math.floor(Date.now() / 1000)
   */
  now?: () => number;
  /**
   * The body of `GET /up`: 200, also when degraded (such a node keeps serving its own
   * subscribers), except 503 for `status: 'stopping'` (a server shutting down).
   * @default () => ({ status: 'ok' })
   */
  health?: () => { status: string };
  /**
   * Told of every answered request, by route and status.
   * @default metrics off
   */
  metrics?: Pick<ServerMetrics, 'httpRequest'>;
}
