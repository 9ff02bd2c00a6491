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
  /**
   * The queue to send it through (a name, or `true` for the default queue), or `false` to
   * send at once. Wins over `@Broadcastable({ queue })`. @default queue.default
   */
  broadcastQueue?(): string | boolean;
  /**
   * Called (in the app whose worker ran it) when a queued broadcast failed its last
   * attempt, as Laravel's `failed()`. Runs on a copy rebuilt from the job, so the event's
   * own fields travel in the job only when the class has this method.
   */
  failed?(error: Error): unknown;
}
