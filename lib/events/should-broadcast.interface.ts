import type { ChannelLike } from '../core/channel.js';

/**
 * An event that is broadcast when dispatched through EventEmitter2 or passed to
 * `BroadcastManager.event()`. Implement `broadcastOn`; every other method has a default.
 */
export interface ShouldBroadcast {
  /** The channels to broadcast on. */
  broadcastOn(): ChannelLike | ChannelLike[];
  /** Event name clients listen for. @default the class name */
  broadcastAs?(): string;
  /** The payload. @default the event's own enumerable fields */
  broadcastWith?(): Record<string, unknown>;
  /** Return false to skip broadcasting this instance. @default true */
  broadcastWhen?(): boolean;
  /** Connection(s) to broadcast through. @default the default connection */
  broadcastConnection?(): string | string[];
}
