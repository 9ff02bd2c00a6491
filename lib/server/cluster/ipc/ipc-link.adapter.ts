import cluster from 'node:cluster';
import type {
  AdapterHost,
  AdapterPublish,
  CachedEvent,
  ChannelStats,
  PresenceMember,
  ServerAdapter,
} from '../server-adapter.interface.js';
import { isLinkMessage, LINK_ENV, type LinkMessage, type LinkMethod } from './link-messages.js';

/**
 * The worker's side of the in-machine link: the adapter of a worker of `serve --workers`
 * run without Redis. A publish is delivered here at once and sent to the primary, which
 * forwards it to the other workers; rosters, cache-channel events and counts are asked of
 * the primary, which holds the rosters and sums every worker's counts. Channel interest
 * needs nothing: every worker gets every publish and drops the channels it does not serve
 * (the engine's fan-out finds no subscribers).
 */
export class IpcLinkAdapter implements ServerAdapter {
  private host?: AdapterHost;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }
  >();
  private readonly onMessage = (message: unknown) => {
    if (isLinkMessage(message)) this.receive(message);
  };

  constructor(private readonly timeoutMs = 5_000) {
    process.on('message', this.onMessage);
  }

  attach(host: AdapterHost): void {
    this.host = host;
  }

  publish(message: AdapterPublish): void {
    // The primary stores cache-channel events, and forwards unless it is for this node only.
    if (!message.thisNodeOnly || message.cache) this.send({ type: 'link:publish', message });
    this.host?.deliver(message);
  }

  joinPresence(appId: string, channel: string, socketId: string, member: PresenceMember) {
    return this.call<{ firstForUser: boolean }>('joinPresence', [appId, channel, socketId, member]);
  }

  leavePresence(appId: string, channel: string, socketId: string, userId: string) {
    return this.call<{ lastForUser: boolean }>('leavePresence', [appId, channel, socketId, userId]);
  }

  async presenceMembers(appId: string, channel: string): Promise<Map<string, unknown>> {
    return new Map(await this.call<[string, unknown][]>('presenceMembers', [appId, channel]));
  }

  cachedEvent(appId: string, channel: string): Promise<CachedEvent | undefined> {
    return this.call<CachedEvent | undefined>('cachedEvent', [appId, channel]);
  }

  async channels(appId: string, prefix?: string): Promise<Map<string, ChannelStats>> {
    return new Map(await this.call<[string, ChannelStats][]>('channels', [appId, prefix]));
  }

  channel(appId: string, name: string): Promise<ChannelStats> {
    return this.call<ChannelStats>('channel', [appId, name]);
  }

  connectionCount(appId: string): Promise<number> {
    return this.call<number>('connectionCount', [appId]);
  }

  async terminateUserConnections(appId: string, userId: string): Promise<void> {
    await this.call('terminateUserConnections', [appId, userId]);
  }

  channelOccupied(): void {}
  channelVacated(): void {}

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error('The in-machine link closed.'));
    }
    this.pending.clear();
  }

  private receive(message: LinkMessage): void {
    const host = this.host;
    switch (message.type) {
      case 'link:deliver':
        return host?.deliver(message.message);
      case 'link:terminate':
        return host?.terminateLocalUser(message.appId, message.userId);
      case 'link:local': {
        const { query } = message;
        const result =
          query.what === 'channels'
            ? [...(host?.localChannels(query.appId, query.prefix) ?? [])]
            : (host?.localConnectionCount(query.appId) ?? 0);
        return this.send({ type: 'link:local-reply', id: message.id, result });
      }
      case 'link:reply': {
        const waiter = this.pending.get(message.id);
        if (!waiter) return;
        this.pending.delete(message.id);
        clearTimeout(waiter.timer);
        if (message.error !== undefined) waiter.reject(new Error(message.error));
        else waiter.resolve(message.result);
      }
    }
  }

  /** Asks the primary; rejects after `timeoutMs` so no caller waits forever on a lost reply. */
  private call<T>(method: LinkMethod, args: unknown[]): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`The primary did not answer ${method} within ${this.timeoutMs} ms.`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.send({ type: 'link:call', id, method, args });
    });
  }

  private send(message: LinkMessage): void {
    // A worker whose primary is gone exits on the disconnect; nothing to send to until then.
    if (process.connected) process.send?.(message);
  }
}

/** The link when this process is a worker its primary started with it (no Redis scaling). */
export function inMachineLink(
  env: Record<string, string | undefined> = process.env,
): IpcLinkAdapter | undefined {
  return cluster.isWorker && env[LINK_ENV] === 'ipc' ? new IpcLinkAdapter() : undefined;
}
