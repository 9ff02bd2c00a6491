/**
 * What the HTTP API needs from the engine: app lookup, fan-out and the channel queries.
 * `PusherServerEngine` satisfies it; keeping the seam this narrow lets the API stay free of
 * WebSocket details and answer cluster-wide when the engine's adapter does.
 */
export interface HttpApiEngine {
  readonly apps: { byId(id: string): HttpApiApp | undefined };
  publish(
    appId: string,
    channels: string[],
    event: string,
    data: string,
    exceptSocketId?: string | null,
  ): void;
  channels(
    appId: string,
    opts?: { prefix?: string },
  ): Promise<Map<string, { subscriptionCount: number; userCount?: number }>>;
  channel(
    appId: string,
    name: string,
  ): Promise<{ occupied: boolean; subscriptionCount: number; userCount?: number }>;
  presenceUsers(appId: string, name: string): Promise<Array<{ id: string }>>;
  terminateUserConnections(appId: string, userId: string): Promise<void>;
}

/** The fields of a resolved app the HTTP API reads. */
export interface HttpApiApp {
  id: string;
  key: string;
  secret: string;
  enabled: boolean;
  limits: { maxEventBytes: number; maxChannelsPerEvent: number; maxBatchSize: number };
}
