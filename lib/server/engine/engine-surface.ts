/**
 * The slices of {@link PusherServerEngine} its feeders call, named once here so the HTTP API
 * and the deliveries depend on just what they use (and tests can pass small fakes).
 */
import type { ResolvedAppOptions } from '../options/resolved-server-options.interface.js';
import type { PusherServerEngine } from './pusher-server-engine.js';

/** The single fan-out entry, where the local hub and Redis deliveries hand broadcasts. */
export type PublishTarget = Pick<PusherServerEngine, 'publish'>;

/** The fields of a resolved app the HTTP API reads. */
export type HttpApiApp = Pick<ResolvedAppOptions, 'id' | 'key' | 'secret' | 'enabled'> & {
  limits: Pick<
    ResolvedAppOptions['limits'],
    'maxEventBytes' | 'maxChannelsPerEvent' | 'maxBatchSize'
  >;
};

/**
 * What the HTTP API needs: app lookup, fan-out and the channel queries, which answer
 * cluster-wide when the engine's adapter does. No WebSocket details.
 */
export type HttpApiEngine = Pick<
  PusherServerEngine,
  'publish' | 'channels' | 'channel' | 'presenceUsers' | 'terminateUserConnections'
> & { readonly apps: { byId(id: string): HttpApiApp | undefined } };
