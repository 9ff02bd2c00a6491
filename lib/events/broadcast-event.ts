import { BroadcastMessages } from '../core/broadcast-messages.js';
import { channelNames } from '../core/channel.js';
import {
  broadcastableOptionsOf,
  type ContractBroadcastableOptions,
} from './broadcastable.decorator.js';
import type { EventContract } from '../contract/event-contract.js';
import { BroadcastException } from '../errors/broadcast.exception.js';
import type { ShouldBroadcast } from './should-broadcast.interface.js';

/** What a broadcastable event turns into before a driver sees it. */
export interface ResolvedBroadcastEvent {
  channels: string[];
  event: string;
  payload: Record<string, unknown>;
  /** Connections named by the event; undefined means the default one. */
  connections?: string[];
  toOthers: boolean;
  /** true / a queue name: queue it; false: send now; undefined: as `queue.default` says. */
  queue?: boolean | string;
  /** undefined: as the module's `afterCommit` says. */
  afterCommit?: boolean;
  /** The event contract of `@Broadcastable(contract)`: its schema validates the payload. */
  contract?: EventContract;
}

function metadataOf(event: object): ContractBroadcastableOptions | undefined {
  const constructor = event.constructor;
  // An Object.create(null) value has no constructor; Reflect.getMetadata would throw on it.
  return typeof constructor === 'function' ? broadcastableOptionsOf(constructor) : undefined;
}

/**
 * True for an instance of a `@Broadcastable()` class or any object with a `broadcastOn()`
 * method (the runtime shape of {@link ShouldBroadcast}).
 */
export function isBroadcastableEvent(value: unknown): value is ShouldBroadcast {
  if (value === null || typeof value !== 'object') return false;
  return (
    typeof (value as Partial<ShouldBroadcast>).broadcastOn === 'function' ||
    metadataOf(value) !== undefined
  );
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Own enumerable data fields: Laravel broadcasts an event's public properties. */
export function ownFields(event: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key in event) {
    if (!hasOwn.call(event, key)) continue;
    const value = (event as Record<string, unknown>)[key];
    if (typeof value !== 'function') fields[key] = value;
  }
  return fields;
}

/**
 * Reads channels, name, payload and connection from an event, applying the defaults.
 * Returns undefined when `broadcastWhen()` says no.
 */
export function resolveBroadcastEvent(event: object): ResolvedBroadcastEvent | undefined {
  const candidate = event as Partial<ShouldBroadcast>;
  const options = metadataOf(event);
  if (typeof candidate.broadcastOn !== 'function') {
    const className = event.constructor?.name || 'Object';
    throw new BroadcastException(BroadcastMessages.missingBroadcastOn(className));
  }
  if (candidate.broadcastWhen && candidate.broadcastWhen() === false) return undefined;
  const connection = candidate.broadcastConnection?.() ?? options?.connection;
  return {
    channels: channelNames(candidate.broadcastOn()),
    event: candidate.broadcastAs?.() ?? options?.as ?? (event.constructor?.name || 'Object'),
    payload: candidate.broadcastWith?.() ?? ownFields(event),
    connections:
      connection === undefined ? undefined : Array.isArray(connection) ? connection : [connection],
    toOthers: options?.toOthers === true,
    queue: candidate.broadcastQueue?.() ?? options?.queue,
    afterCommit: options?.afterCommit,
    contract: options?.contract,
  };
}
