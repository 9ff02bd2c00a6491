import type { HookableEmitter } from './event-emitter.hook.js';

type Listener = (...args: any[]) => unknown;
type Registrar = (this: HookableEmitter, ...args: any[]) => unknown;

/**
 * The registration methods of EventEmitter2 and where each takes its options argument:
 * `on(event, fn, options)`, `many(event, ttl, fn, options)`.
 */
const REGISTRARS: ReadonlyArray<readonly [name: string, optionsAt: number]> = [
  ['on', 2],
  ['addListener', 2],
  ['prependListener', 2],
  ['once', 2],
  ['prependOnce', 2],
  ['many', 3],
  ['prependMany', 3],
];

/**
 * Options under which EventEmitter2 starts a listener later instead of calling it during
 * emit: `{ async }`, `{ nextTick }`, `{ promisify }`, or the shorthand `false`.
 */
function startsLater(options: unknown): boolean {
  if (options === false) return true;
  if (typeof options !== 'object' || options === null) return options === true;
  const { async, nextTick, promisify } = options as Record<string, unknown>;
  return Boolean(async || nextTick || promisify);
}

/**
 * Knows which listeners of one emitter EventEmitter2 starts in a later macrotask, through
 * its public API only: it watches the options given to the registration methods, and finds
 * the function EventEmitter2 stored for such a listener by comparing `listeners(event)`
 * before and after (EventEmitter2 wraps it). A dispatch then asks `listeners(event)`, which
 * also follows removals, `removeAllListeners` and wildcard patterns, whether one of them is
 * such a function. Listeners attached before the watch began count as starting later: their
 * options are unknown, and waiting a macrotask for them is the safe side.
 */
export class DeferredListeners {
  private readonly deferred = new WeakSet<Listener>();
  private readonly restore: Array<() => void> = [];

  constructor(private readonly emitter: HookableEmitter) {
    const listeners = emitter.listeners;
    if (typeof listeners !== 'function') return;
    for (const name of emitter.eventNames?.() ?? [])
      for (const fn of listeners.call(emitter, name) as Listener[]) this.deferred.add(fn);
    for (const [name, optionsAt] of REGISTRARS) this.watch(name, optionsAt);
  }

  /** Whether a listener of `event` starts after emit returns; always true without `listeners()`. */
  has(event: unknown): boolean {
    if (typeof this.emitter.listeners !== 'function') return true;
    const listeners = this.emitter.listeners(event) as Listener[];
    for (let i = 0; i < listeners.length; i++) if (this.deferred.has(listeners[i])) return true;
    return false;
  }

  /** Puts the registration methods back (only those still ours). */
  stop(): void {
    for (const undo of this.restore.splice(0)) undo();
  }

  private watch(name: string, optionsAt: number): void {
    const target = this.emitter as unknown as Record<string, Registrar | undefined>;
    const original = target[name];
    if (typeof original !== 'function') return;
    const own = Object.prototype.hasOwnProperty.call(target, name);
    const deferred = this.deferred;
    const watched: Registrar = function (this: HookableEmitter, ...args: any[]) {
      if (!startsLater(args[optionsAt]) || typeof this.listeners !== 'function')
        return original.apply(this, args);
      const before = this.listeners(args[0]);
      const result = original.apply(this, args);
      for (const fn of this.listeners(args[0]) as Listener[])
        if (!before.includes(fn)) deferred.add(fn);
      return result;
    };
    target[name] = watched;
    this.restore.push(() => {
      if (target[name] !== watched) return;
      if (own) target[name] = original;
      else delete target[name];
    });
  }
}
