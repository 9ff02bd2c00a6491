import { SetMetadata } from '@nestjs/common';

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
}

/**
 * Marks a class as a broadcastable event: when an instance is emitted through
 * EventEmitter2 (`emit` / `emitAsync`), it is broadcast after the listeners succeed.
 * The class implements {@link ShouldBroadcast} (at least `broadcastOn()`).
 */
export const Broadcastable = (options: BroadcastableOptions = {}): ClassDecorator =>
  SetMetadata(BROADCASTABLE_METADATA, options);
