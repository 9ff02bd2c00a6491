import type { Broadcaster } from '../drivers/broadcaster.interface.js';
import type { QueueChoice } from '../queue/queue-choice.js';

/** A connection name and its broadcaster. */
export type Target = [name: string, broadcaster: Broadcaster];

/** One or more connection names; undefined means the default connection. */
export type Connections = string | string[] | undefined;

/**
 * What a driver failure does: `send()` and `event()` reject with it; an auto-broadcast
 * (after an EventEmitter2 dispatch) reports it, since no caller is waiting for it.
 */
export type OnFailure = 'reject' | 'report';

/** Per-call choices of `BroadcastManager.event()`: the socket to exclude, the queue, after-commit. */
export interface BroadcastEventOptions {
  /** Socket (`123.456`) that must not receive it. */
  exceptSocketId?: string;
  /** Queue it (true, or a queue name) or send it now (false), whatever the event says. */
  queue?: boolean | string;
  /** Hold it until the current database transaction commits, whatever the event says. */
  afterCommit?: boolean;
}

/** How one prepared broadcast leaves: now, queued, or after its transaction commits. */
export interface Dispatch {
  connections: Connections;
  queue: QueueChoice;
  afterCommit: boolean;
  /** The event object, for `failed()` and error messages; undefined for `send()`. */
  event?: object;
  onFailure: OnFailure;
  /** An emitAsync caller waits: a job Redis refused rejects toward it even when reported. */
  awaited?: boolean;
}
