import { currentSocketId } from '../core/socket-id.context.js';
import { isBroadcastableEvent } from './broadcast-event.js';
import { DeferredListeners } from './deferred-listeners.js';

/** The part of EventEmitter2 the hook touches: its public API. */
export interface HookableEmitter {
  emit(...args: any[]): boolean;
  emitAsync(...args: any[]): Promise<unknown[]>;
  listenerCount?(event?: unknown): number;
  listenersAny?(): unknown[];
  listeners?(event: unknown): unknown[];
  eventNames?(): unknown[];
}

/**
 * Broadcasts one dispatched event; must never throw, and rejects only when `awaited` (an
 * emitAsync caller waits) and a queued event could not be queued: that caller hears it.
 * Returns undefined when it has already finished, so emitAsync need not wait a promise turn.
 */
export type AutoBroadcast = (
  event: object,
  socketId: string | undefined,
  awaited: boolean,
) => Promise<void> | undefined | void;

const HOOKED = Symbol.for('nestjs-broadcasting:event-emitter-hook');

// Captured at load, like EventEmitter2 captures its own, so a test's fake timers cannot
// stall every emitAsync of a broadcastable event.
const realSetImmediate = globalThis.setImmediate;

/** Lets timers queued by `{ async: true }` listeners start before the broadcast goes out. */
const nextMacrotask = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/**
 * Wraps `emit` and `emitAsync` of one emitter so that a broadcastable event (the first
 * argument after the event name) is broadcast once, after its listeners succeeded.
 *
 * Both paths run the listeners through the original `emitAsync`, which calls them
 * synchronously exactly like `emit` but keeps what they return: that is how `emit` learns
 * that an async listener (`@OnEvent(..., { async: true, promisify: true })`) rejected.
 * Other events take the original path untouched. Returns the function that removes the
 * hook, or undefined when the emitter is already hooked (one broadcast per dispatch even
 * if two broadcast modules share an emitter).
 */
export function hookEventEmitter(
  emitter: HookableEmitter,
  broadcast: AutoBroadcast,
  onListenerFailure: (eventName: unknown, error: unknown) => void,
): (() => void) | undefined {
  const target = emitter as HookableEmitter & { [HOOKED]?: boolean };
  if (target[HOOKED]) return undefined;
  const originalEmit = emitter.emit;
  const originalEmitAsync = emitter.emitAsync;
  const ownEmit = Object.prototype.hasOwnProperty.call(emitter, 'emit');
  const ownEmitAsync = Object.prototype.hasOwnProperty.call(emitter, 'emitAsync');
  let active = true;
  // Only when a listener starts in a later macrotask (`{ async: true }`) is a wait needed
  // before broadcasting: every other listener has run, or returned its promise, by the time
  // emitAsync settles. Waiting on every dispatch would cost each broadcast a loop turn.
  const deferredListeners = new DeferredListeners(emitter);
  // Events whose listeners are being called right now. Re-entering with the same object
  // (a listener re-emitting it, or an emitAsync wrapper that calls emit) is part of the
  // same dispatch: it reaches listeners but is not broadcast a second time. Listeners are
  // called synchronously, so this is a stack as deep as the nesting of dispatches (a plain
  // array: cheaper per dispatch than a WeakSet entry).
  const dispatching: object[] = [];

  const wantsBroadcast = (args: unknown[]) =>
    active &&
    args[0] !== 'error' &&
    isBroadcastableEvent(args[1]) &&
    (dispatching.length === 0 || !dispatching.includes(args[1] as object));

  /** Calls the listeners through the original emitAsync, marking the event meanwhile. */
  const runListeners = (self: HookableEmitter, args: any[]): Promise<unknown[]> => {
    dispatching.push(args[1]);
    try {
      return originalEmitAsync.apply(self, args);
    } finally {
      dispatching.pop();
    }
  };

  function emit(this: HookableEmitter, ...args: any[]): boolean {
    if (!wantsBroadcast(args)) return originalEmit.apply(this, args);
    const socketId = currentSocketId();
    const hadListeners =
      (this.listenerCount?.(args[0]) ?? 1) > 0 || (this.listenersAny?.().length ?? 0) > 0;
    // A listener that throws synchronously throws out of emit, as before, and nothing is sent.
    const yieldFirst = deferredListeners.has(args[0]);
    const settled = runListeners(this, args);
    const done = Promise.resolve(settled);
    (yieldFirst ? done.then(nextMacrotask) : done)
      .then(
        () => broadcast(args[1], socketId, false),
        (error: unknown) => onListenerFailure(args[0], error),
      )
      .catch(() => undefined);
    return hadListeners;
  }

  async function emitAsync(this: HookableEmitter, ...args: any[]): Promise<unknown[]> {
    if (!wantsBroadcast(args)) return originalEmitAsync.apply(this, args);
    const socketId = currentSocketId();
    // Read before the listeners run: a `once` listener removes itself while running.
    const yieldFirst = deferredListeners.has(args[0]);
    // A rejection reaches the caller as before; the broadcast is skipped.
    const results = await runListeners(this, args);
    if (yieldFirst) await nextMacrotask();
    const sent = broadcast(args[1], socketId, true);
    if (sent) await sent;
    return results;
  }

  emitter.emit = emit;
  emitter.emitAsync = emitAsync;
  target[HOOKED] = true;

  return () => {
    active = false;
    delete target[HOOKED];
    deferredListeners.stop();
    // Restore only what is still ours; if someone wrapped us since, `active` makes us a pass-through.
    if (emitter.emit === emit) {
      if (ownEmit) emitter.emit = originalEmit;
      else delete (emitter as Partial<HookableEmitter>).emit;
    }
    if (emitter.emitAsync === emitAsync) {
      if (ownEmitAsync) emitter.emitAsync = originalEmitAsync;
      else delete (emitter as Partial<HookableEmitter>).emitAsync;
    }
  };
}
