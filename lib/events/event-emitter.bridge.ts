import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { BroadcastMessages } from '../core/broadcast-messages.js';
import { BroadcastManager } from '../core/broadcast-manager.js';
import { hookEventEmitter, type HookableEmitter } from './event-emitter.hook.js';
import { findEventEmitter } from './find-event-emitter.js';

/**
 * Connects EventEmitter2 (from the optional `@nestjs/event-emitter`) to the manager:
 * broadcastable events are broadcast after their listeners. Does nothing when the
 * package is not installed or `EventEmitterModule` is not imported.
 */
@Injectable()
export class EventEmitterBridge implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Broadcast');
  private unhook?: () => void;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(BroadcastManager) private readonly manager: BroadcastManager,
  ) {}

  // onModuleInit runs before onApplicationBootstrap, where @OnEvent listeners are attached
  // and where apps may start emitting, so no dispatch of a running app is missed.
  async onModuleInit(): Promise<void> {
    const emitter = await findEventEmitter<HookableEmitter>(this.moduleRef);
    if (!emitter) return;
    this.unhook = hookEventEmitter(
      emitter,
      (event, socketId, awaited) => this.manager.broadcastDispatched(event, socketId, awaited),
      (eventName, error) => this.logger.error(BroadcastMessages.listenerFailed(eventName, error)),
    );
  }

  onApplicationShutdown(): void {
    this.unhook?.();
    this.unhook = undefined;
  }
}
