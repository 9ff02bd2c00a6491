import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { BroadcastServer } from '../server/hosting/broadcast-server.js';
import { HealthMessages } from './health-messages.js';

/**
 * A `@nestjs/terminus` health indicator for the broadcast server of `BroadcastServerModule`,
 * built on terminus's `HealthIndicatorService`: `up` while every Redis connection the server
 * uses is connected (always, when it uses none), `down` while one is lost or before the
 * server has started. The result names each connection:
 * `{ broadcasting: { status: 'up', redis: { scaling: 'connected', delivery: 'connected' } } }`.
 *
 * Provide it in a module that imports `TerminusModule` and `BroadcastServerModule`.
 */
@Injectable()
export class BroadcastHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly server: BroadcastServer,
  ) {}

  /** @param key the result's key. @default 'broadcasting' */
  isHealthy<const Key extends string = 'broadcasting'>(
    key: Key = 'broadcasting' as Key,
  ): HealthIndicatorResult<Key> {
    const check = this.indicators.check(key);
    let health;
    try {
      health = this.server.health();
    } catch {
      return check.down({ message: HealthMessages.notStarted() });
    }
    const redis = Object.keys(health.redis).length > 0 ? health.redis : HealthMessages.noRedis();
    return health.up ? check.up({ redis }) : check.down({ redis });
  }
}
