import type { AdapterPublish } from '../server-adapter.interface.js';

/**
 * A user who joined or left a presence roster, as the cluster sees it: the Lua scripts report
 * each such transition once however many nodes race (see presence-scripts.ts), so whatever is
 * told of it (member_added / member_removed here) is told once too.
 */
export interface RosterChange {
  appId: string;
  channel: string;
  userId: string;
  /** user_info, for users who joined. */
  info?: unknown;
}

/** The `pusher_internal:member_added` the change's channel hears (the engine's own shape). */
export function memberAdded(change: RosterChange): AdapterPublish {
  return {
    appId: change.appId,
    channels: [change.channel],
    event: 'pusher_internal:member_added',
    data: JSON.stringify({ user_id: change.userId, user_info: change.info }),
  };
}

/** The `pusher_internal:member_removed` the change's channel hears. */
export function memberRemoved(change: RosterChange): AdapterPublish {
  return {
    appId: change.appId,
    channels: [change.channel],
    event: 'pusher_internal:member_removed',
    data: JSON.stringify({ user_id: change.userId }),
  };
}

/** Flat (app, channel, user) triples as the scripts return them. */
export function triples(flat: string[]): RosterChange[] {
  const changes: RosterChange[] = [];
  for (let i = 0; i < flat.length; i += 3)
    changes.push({ appId: flat[i], channel: flat[i + 1], userId: flat[i + 2] });
  return changes;
}
