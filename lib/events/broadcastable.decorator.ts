import { SetMetadata } from '@nestjs/common';
import type { ChannelNameOf, EventContract, PayloadInput } from '../contract/event-contract.js';

export const BROADCASTABLE_METADATA = 'nestjs-broadcasting:broadcastable';

/** Options of `@Broadcastable()`. A method on the event class wins over the option. */
export interface BroadcastableOptions {
  /**
   * Event name clients listen for (what `broadcastAs()` would return).
   * @default the class name
   */
  as?: string;
  /**
   * Connection(s) to broadcast through (what `broadcastConnection()` would return).
   * @default the default connection
   */
  connection?: string | string[];
  /**
   * Exclude the socket of the current HTTP request (its `X-Socket-ID` header), so the
   * browser tab that caused the event does not receive it.
   * @default false
   */
  toOthers?: boolean;
  /**
   * Queue this event (`true`: the default queue; a name: that queue) or send it at once
   * (`false`, Laravel's `ShouldBroadcastNow`), whatever `queue.default` says. A
   * `broadcastQueue()` method wins over it. Needs the module's `queue` option.
   * @default queue.default
   */
  queue?: boolean | string;
  /**
   * When dispatched inside a database transaction, broadcast (or queue) only after it
   * commits, and never if it rolls back (Laravel's `ShouldDispatchAfterCommit`).
   * @default the module's afterCommit
   */
  afterCommit?: boolean;
  /**
   * Tries of this event's job, the first included (Laravel's `$tries` on the event).
   * @default queue.attempts
   */
  attempts?: number;
  /**
   * The wait between this event's tries (Laravel's `$backoff` on the event).
   * @default queue.backoff
   */
  backoff?: { type?: 'exponential' | 'fixed'; delay?: number };
}

/** Every `@Broadcastable()` class, so the boot can check the queues they name. */
const decorated = new Set<Function>();

/** The classes decorated so far. @internal */
export function broadcastableClasses(): ReadonlySet<Function> {
  return decorated;
}

// Every emit with an object argument asks whether its class is broadcastable, and
// Reflect.getMetadata walks the prototype chain each time: remember the answer per class
// (null = not decorated). A decoration drops the whole cache, since a subclass remembered
// as undecorated may inherit the new metadata; decorations happen at class definition.
let optionsByClass = new WeakMap<Function, ContractBroadcastableOptions | null>();

/**
 * The `@Broadcastable()` options of a class (inherited ones included), or undefined when
 * neither it nor a parent class is decorated.
 * @internal
 */
export function broadcastableOptionsOf(target: Function): ContractBroadcastableOptions | undefined {
  let options = optionsByClass.get(target);
  if (options === undefined) {
    options =
      (Reflect.getMetadata(BROADCASTABLE_METADATA, target) as
        ContractBroadcastableOptions | undefined) ?? null;
    optionsByClass.set(target, options);
  }
  return options ?? undefined;
}

/**
 * What a class decorated with `@Broadcastable(contract)` implements: the compiler checks
 * that `broadcastOn()` returns the contract's channel names (`OrderChannel.name(...)`) and
 * that `broadcastWith()` returns its payload. The event name comes from the contract.
 */
export interface BroadcastsContract<E extends EventContract> {
  broadcastOn(): ChannelNameOf<E> | ChannelNameOf<E>[];
  broadcastWith(): PayloadInput<E>;
  broadcastAs?(): E['name'];
  broadcastWhen?(): boolean;
  broadcastConnection?(): string | string[];
}

/** Metadata of a class decorated with a contract: its options plus the contract. @internal */
export interface ContractBroadcastableOptions extends BroadcastableOptions {
  contract?: EventContract;
}

/**
 * Marks a class as a broadcastable event: when an instance is emitted through
 * EventEmitter2 (`emit` / `emitAsync`), it is broadcast after the listeners succeed.
 * The class implements {@link ShouldBroadcast} (at least `broadcastOn()`).
 */
export function Broadcastable(options?: BroadcastableOptions): ClassDecorator;
/**
 * Marks a class as the server side of an event contract (`nestjs-broadcasting/contract`):
 * its name is the contract's, `broadcastOn()` and `broadcastWith()` are type-checked against
 * it, and a schema in the contract validates the payload before any driver runs.
 */
export function Broadcastable<E extends EventContract>(
  contract: E,
  options?: Omit<BroadcastableOptions, 'as'>,
): (target: abstract new (...args: any[]) => BroadcastsContract<E>) => void;
export function Broadcastable(
  first: BroadcastableOptions | EventContract = {},
  options: Omit<BroadcastableOptions, 'as'> = {},
): ClassDecorator {
  const metadata: ContractBroadcastableOptions =
    (first as EventContract).contract === 'event'
      ? { ...options, as: (first as EventContract).name, contract: first as EventContract }
      : (first as BroadcastableOptions);
  const setMetadata = SetMetadata(BROADCASTABLE_METADATA, metadata);
  return (target) => {
    setMetadata(target);
    decorated.add(target);
    optionsByClass = new WeakMap();
  };
}
