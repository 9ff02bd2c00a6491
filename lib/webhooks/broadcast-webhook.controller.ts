import { Controller, HttpCode, Post, Req, type Type } from '@nestjs/common';
import { BroadcastWebhookReceiver } from './broadcast-webhook.receiver.js';

/** The request fields read, the same on Express and Fastify with `rawBody: true`. */
interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: Buffer;
}

/** A controller with one POST route at `path` (a decorator argument, hence the factory). */
export function broadcastWebhookController(path: string): Type<unknown> {
  @Controller()
  class BroadcastWebhookController {
    constructor(private readonly receiver: BroadcastWebhookReceiver) {}

    @Post(path)
    @HttpCode(200)
    receive(@Req() req: WebhookRequest) {
      return this.receiver.receive(req.headers, req.rawBody);
    }
  }
  return BroadcastWebhookController;
}
