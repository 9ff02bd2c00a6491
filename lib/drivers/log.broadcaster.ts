import { Logger } from '@nestjs/common';
import { BroadcastMessages } from '../core/broadcast-messages.js';
import type {
  Broadcaster,
  BroadcastSendOptions,
  PreparedBroadcast,
} from './broadcaster.interface.js';
import { preparedJson } from './prepared-json.js';

/**
 * Writes broadcasts to the Nest logger, for development. Only payload keys are logged
 * unless `logPayload` is on, since payloads may carry personal data.
 */
export class LogBroadcaster implements Broadcaster {
  constructor(
    private readonly logPayload = false,
    private readonly logger: Pick<Logger, 'log'> = new Logger('Broadcast'),
  ) {}

  /** With `logPayload`, the manager's JSON of the payload is logged as is. */
  broadcastPrepared(message: PreparedBroadcast): Promise<void> {
    return this.broadcast(message.channels, message.event, message.payload, message);
  }

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions | PreparedBroadcast = {},
  ): Promise<void> {
    const shown = this.logPayload
      ? { json: preparedJson(payload, options) ?? JSON.stringify(payload) }
      : { keys: Object.keys(payload) };
    this.logger.log(BroadcastMessages.logged(event, channels, shown, options.exceptSocketId));
  }
}
