import type { ModuleRef } from '@nestjs/core';

/** The part of EventEmitter2 an emitting feature needs. */
export interface EmittingEmitter {
  emit(event: string, ...values: unknown[]): boolean;
}

/**
 * The app's EventEmitter2 (from the optional `@nestjs/event-emitter`), or undefined when the
 * package is not installed or `EventEmitterModule` is not imported: features that emit
 * Nest events then do nothing rather than fail.
 */
export async function findEventEmitter<T = EmittingEmitter>(
  moduleRef: ModuleRef,
): Promise<T | undefined> {
  let EventEmitter2: unknown;
  try {
    ({ EventEmitter2 } = await import('@nestjs/event-emitter'));
  } catch {
    return undefined; // optional peer not installed
  }
  try {
    // The emitter is EventEmitterModule's, registered globally: look it up app-wide.
    return moduleRef.get(EventEmitter2 as never, { strict: false }) as T;
  } catch {
    return undefined; // EventEmitterModule not imported
  }
}
