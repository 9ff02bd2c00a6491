import { Logger } from '@nestjs/common';
import type { Broadcaster } from './broadcaster.interface.js';
import {
  READS_SERIALIZED_PAYLOAD,
  serializedJson,
  type InternalSendOptions,
} from './serialized-payload.js';

/**
 * Writes broadcasts to the Nest logger, for development. Only payload keys are logged
 * unless `logPayload` is on, since payloads may carry personal data.
 */
export class LogBroadcaster implements Broadcaster {
  /** With `logPayload`, the manager's JSON of the payload is logged as is. */
  readonly [READS_SERIALIZED_PAYLOAD] = true;

  constructor(
    private readonly logPayload = false,
    private readonly logger: Pick<Logger, 'log'> = new Logger('Broadcast'),
  ) {}

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: InternalSendOptions = {},
  ): Promise<void> {
    const body = this.logPayload
      ? `payload ${serializedJson(payload, options)?.json ?? JSON.stringify(payload)}`
      : `payload keys [${Object.keys(payload).join(', ')}]`;
    const except = options.exceptSocketId ? ` except socket ${options.exceptSocketId}` : '';
    this.logger.log(`Broadcasting "${event}" on [${channels.join(', ')}] with ${body}${except}`);
  }
}
