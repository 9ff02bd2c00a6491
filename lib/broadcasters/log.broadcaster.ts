import { Logger } from '@nestjs/common';
import type { Broadcaster, BroadcastSendOptions } from './broadcaster.interface.js';

/**
 * Writes broadcasts to the Nest logger, for development. Only payload keys are logged
 * unless `logPayload` is on, since payloads may carry personal data.
 */
export class LogBroadcaster implements Broadcaster {
  constructor(
    private readonly logPayload = false,
    private readonly logger: Pick<Logger, 'log'> = new Logger('Broadcast'),
  ) {}

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions = {},
  ): Promise<void> {
    const body = this.logPayload
      ? `payload ${JSON.stringify(payload)}`
      : `payload keys [${Object.keys(payload).join(', ')}]`;
    const except = options.exceptSocketId ? ` except socket ${options.exceptSocketId}` : '';
    this.logger.log(`Broadcasting "${event}" on [${channels.join(', ')}] with ${body}${except}`);
  }
}
