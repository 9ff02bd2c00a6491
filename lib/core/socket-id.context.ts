import { AsyncLocalStorage } from 'node:async_hooks';
import { isValidSocketId } from '../shared/pusher-protocol/channel-names.js';

/** The header pusher-js / laravel-echo clients send with the current connection's socket id. */
export const SOCKET_ID_HEADER = 'x-socket-id';

interface RequestBroadcastContext {
  socketId?: string;
}

const storage = new AsyncLocalStorage<RequestBroadcastContext>();

/**
 * Runs `fn` with `socketId` as the current request's socket id. A malformed id is ignored
 * (the request simply has none) so a bad header cannot break the request.
 */
export function runWithSocketId<T>(socketId: unknown, fn: () => T): T {
  return storage.run({ socketId: isValidSocketId(socketId) ? socketId : undefined }, fn);
}

/** The X-Socket-ID of the HTTP request being handled, if it sent a valid one. */
export function currentSocketId(): string | undefined {
  return storage.getStore()?.socketId;
}
