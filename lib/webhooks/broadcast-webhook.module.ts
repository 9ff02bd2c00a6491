import { Module, type DynamicModule } from '@nestjs/common';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import type { BroadcastWebhookModuleOptions } from './broadcast-webhook-options.interface.js';
import { broadcastWebhookController } from './broadcast-webhook.controller.js';
import {
  BROADCAST_WEBHOOK_OPTIONS,
  BroadcastWebhookReceiver,
} from './broadcast-webhook.receiver.js';
import { WebhookReceiverMessages } from './webhook-receiver-messages.js';

/** The route webhooks are POSTed to by default. */
export const DEFAULT_WEBHOOK_PATH = '/broadcasting/webhooks';

/**
 * A webhook endpoint for apps that publish but do not host the server (our cluster, soketi or
 * Pusher itself sends the webhooks): checks `X-Pusher-Signature` against the raw body (create
 * the app with `{ rawBody: true }`), answers 401 to a bad one and 200 at once to a good one,
 * and emits its events on EventEmitter2 as `broadcasting.<name>` with the typed payloads.
 */
@Module({})
export class BroadcastWebhookModule {
  static forRoot(options: BroadcastWebhookModuleOptions = {}): DynamicModule {
    const path = options.path ?? DEFAULT_WEBHOOK_PATH;
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw new BroadcastConfigError(WebhookReceiverMessages.badPath(path), 'path');
    return {
      module: BroadcastWebhookModule,
      controllers: [broadcastWebhookController(path)],
      providers: [
        { provide: BROADCAST_WEBHOOK_OPTIONS, useValue: options },
        BroadcastWebhookReceiver,
      ],
    };
  }
}
