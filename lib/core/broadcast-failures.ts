import { Logger } from '@nestjs/common';
import type { PreparedBroadcast } from '../drivers/broadcaster.interface.js';
import type {
  BroadcastErrorContext,
  BroadcastModuleOptions,
} from '../config/broadcast-options.interface.js';
import { BroadcastMessages } from './broadcast-messages.js';
import type { OnFailure } from './dispatch.interface.js';

/**
 * What the manager does with a failed broadcast: throws it toward a caller that waits
 * (`send()`, `event()`), or logs it and hands it to `onError` when nobody waits (an
 * auto-broadcast, a broadcast released by a commit, a job refused after `emit`).
 */
export class BroadcastFailures {
  private readonly logger = new Logger('Broadcast');

  constructor(private readonly onError: BroadcastModuleOptions['onError']) {}

  /** Throws `error`, or reports it, as `onFailure` says. */
  failed(
    error: unknown,
    message: Pick<PreparedBroadcast, 'event' | 'channels'>,
    connection: string,
    onFailure: OnFailure,
  ): undefined {
    if (onFailure === 'reject') throw error;
    this.report(error, { event: message.event, channels: message.channels, connection });
    return undefined;
  }

  report(error: unknown, context: BroadcastErrorContext): void {
    const { event, channels, connection } = context;
    this.logger.error(BroadcastMessages.autoBroadcastFailed(event, channels, connection, error));
    try {
      this.onError?.(error, context);
    } catch (hookError) {
      this.logger.error(BroadcastMessages.onErrorThrew(hookError));
    }
  }

  warn(message: string): void {
    this.logger.warn(message);
  }
}
