import {
  BadRequestException,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  Optional,
  UnauthorizedException,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { BROADCAST_CONFIG } from '../constants.js';
import { resolveBroadcastConfig } from '../config/resolve-config.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import { findEventEmitter, type EmittingEmitter } from '../events/find-event-emitter.js';
import type {
  BroadcastWebhookModuleOptions,
  WebhookApp,
} from './broadcast-webhook-options.interface.js';
import { emitBroadcastingEvent } from './broadcasting-events.js';
import { WebhookReceiverMessages } from './webhook-receiver-messages.js';
import { verifyWebhook } from './webhook-verifier.js';

export const BROADCAST_WEBHOOK_OPTIONS = Symbol('BROADCAST_WEBHOOK_OPTIONS');

/**
 * Checks each webhook and re-emits its events on EventEmitter2 as `broadcasting.<name>` with
 * the typed payloads, after the 200 has gone: a slow listener never makes the sender time
 * out and retry. Each payload's `id` is the request's signature and the event's index:
 * a retried delivery (same bytes, same signature) carries the same ids.
 */
@Injectable()
export class BroadcastWebhookReceiver implements OnModuleInit {
  private readonly logger = new Logger('BroadcastWebhook');
  private apps: WebhookApp[] = [];
  private emitter?: EmittingEmitter;

  constructor(
    @Inject(BROADCAST_WEBHOOK_OPTIONS) private readonly options: BroadcastWebhookModuleOptions,
    private readonly moduleRef: ModuleRef,
    @Optional() @Inject(BROADCAST_CONFIG) private readonly config?: ResolvedBroadcastConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.apps = this.options.apps ?? (await this.cascadeApp());
    if (this.apps.length === 0 || this.apps.some((app) => !app.key || !app.secret))
      throw new BroadcastConfigError(WebhookReceiverMessages.noApps(), 'app.key');
    this.emitter = await findEventEmitter(this.moduleRef);
    if (!this.emitter)
      throw new BroadcastConfigError(WebhookReceiverMessages.noEmitter(), 'EventEmitterModule');
  }

  /** Answers (by returning or throwing an HTTP exception) one POSTed webhook. */
  receive(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer | undefined,
  ): { ok: true } {
    if (!Buffer.isBuffer(rawBody))
      throw new InternalServerErrorException(WebhookReceiverMessages.noRawBody());
    const verified = verifyWebhook(this.apps, headers, rawBody);
    if (!verified.ok)
      throw verified.status === 401
        ? new UnauthorizedException(verified.reason)
        : new BadRequestException(verified.reason);
    const { app, body, signature } = verified;
    const emitter = this.emitter!;
    const logError = (message: string) => this.logger.error(message);
    // Outside the request by now: a listener that throws must not crash the app.
    setImmediate(() =>
      body.events.forEach((event, i) =>
        emitBroadcastingEvent(
          emitter,
          logError,
          app.id ?? app.key,
          event,
          body.time_ms,
          `${signature}:${i}`,
        ),
      ),
    );
    return { ok: true };
  }

  private async cascadeApp(): Promise<WebhookApp[]> {
    const { app } = this.config ?? (await resolveBroadcastConfig({}));
    return app.key || app.secret ? [{ id: app.id, key: app.key!, secret: app.secret! }] : [];
  }
}
