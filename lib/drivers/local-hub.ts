/**
 * One broadcast as it travels inside a process: the same fields as Laravel's Redis body
 * (`event`, `data`, `socket`) plus the channels, so the server treats both alike.
 */
export interface HubMessage {
  channels: string[];
  event: string;
  data: Record<string, unknown>;
  /**
   * `JSON.stringify(data)` when the publisher already has it (the `local` driver passes the
   * manager's), so the server does not serialize the payload a second time. Must be exactly
   * that JSON; leave it out to let the server serialize `data`.
   */
  json?: string;
  /** Socket id to exclude, or null. */
  socket: string | null;
  /**
   * The server app it is for, when the server serves several; omitted: the server's
   * first app (the `local` connection's `appId` option sets it).
   */
  appId?: string;
}

export type HubListener = (message: HubMessage) => void;

/**
 * The in-process bus between the `local` driver and a broadcast server attached in the
 * same process. Delivery is synchronous so a broadcast is on the sockets' buffers by the
 * time `send()` resolves; a listener that throws does not stop the others.
 */
export class LocalBroadcastHub {
  private readonly listeners = new Set<HubListener>();

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(message: HubMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // A faulty listener must not cost the others their delivery.
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** The hub the `local` driver and an embedded server share unless given another. */
export const defaultLocalHub = new LocalBroadcastHub();
