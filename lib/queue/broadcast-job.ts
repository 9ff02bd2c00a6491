import type { PreparedBroadcast } from '../drivers/broadcaster.interface.js';
import { ownFields } from '../events/broadcast-event.js';

/**
 * One queued broadcast as it sits in Redis: what a driver needs and nothing more. No
 * credential, URL or driver option travels: the worker sends with its own configuration,
 * by connection name. The job's BullMQ name is the event name, for dashboards.
 */
export interface BroadcastJobData {
  channels: string[];
  event: string;
  payload: Record<string, unknown>;
  /** The excluded socket (toOthers), or null. */
  socket: string | null;
  /**
   * Connections the event named, sent through by name; absent: the worker's default
   * connection. Narrowed to those left when a retry follows a partial failure.
   */
  connections?: string[];
  /**
   * For an event class with `failed()`: its name and own fields, to rebuild it when the
   * last attempt fails (Laravel serializes the whole event for the same reason).
   */
  origin?: { class: string; fields: Record<string, unknown> };
}

/** The job of a prepared broadcast. */
export function broadcastJob(
  message: PreparedBroadcast,
  connections: string[] | undefined,
  event: object | undefined,
): BroadcastJobData {
  const data: BroadcastJobData = {
    channels: message.channels,
    event: message.event,
    payload: message.payload,
    socket: message.exceptSocketId ?? null,
  };
  if (connections) data.connections = connections;
  if (event && typeof (event as { failed?: unknown }).failed === 'function') {
    data.origin = { class: event.constructor.name, fields: ownFields(event) };
  }
  return data;
}
