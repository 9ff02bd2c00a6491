import type { AdapterPublish } from '../server-adapter.interface.js';

/**
 * The in-machine link between the workers of `serve --workers` and their primary, over
 * node:cluster's IPC channel (JSON). Workers publish and ask; the primary holds the rosters
 * and cache-channel events, forwards publishes to the other workers and sums their counts.
 */
export const LINK_ENV = 'NESTJS_BROADCASTING_WORKER_LINK';

/** What a worker may ask the primary: the ServerAdapter methods answered cluster-wide. */
export type LinkMethod =
  | 'joinPresence'
  | 'leavePresence'
  | 'presenceMembers'
  | 'cachedEvent'
  | 'channels'
  | 'channel'
  | 'connectionCount'
  | 'terminateUserConnections';

/** What the primary asks each worker about its own sockets. */
export type LocalQuery =
  { what: 'channels'; appId: string; prefix?: string } | { what: 'connections'; appId: string };

export type LinkMessage =
  | { type: 'link:publish'; message: AdapterPublish }
  | { type: 'link:deliver'; message: AdapterPublish }
  | { type: 'link:call'; id: number; method: LinkMethod; args: unknown[] }
  | { type: 'link:reply'; id: number; result?: unknown; error?: string }
  | { type: 'link:local'; id: number; query: LocalQuery }
  | { type: 'link:local-reply'; id: number; result: unknown }
  | { type: 'link:terminate'; appId: string; userId: string };

export function isLinkMessage(message: unknown): message is LinkMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('link:');
}
