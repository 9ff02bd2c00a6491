import type { Broadcaster, PreparedBroadcast } from '../drivers/broadcaster.interface.js';
import type { BroadcastModuleOptions } from '../config/broadcast-options.interface.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BroadcastConnections } from './broadcast-connections.js';
import { BroadcastFailures } from './broadcast-failures.js';
import type { Connections, OnFailure, Target } from './dispatch.interface.js';

/**
 * The end of every broadcast's path: a prepared message handed to the drivers of its
 * connections, now. The hot path of an inline broadcast, kept free of Nest machinery and of
 * the queue; {@link BroadcastManager} decides what reaches it, and when.
 */
export abstract class BroadcastDelivery {
  protected readonly registry: BroadcastConnections;
  protected readonly failures: BroadcastFailures;
  /** `[[default, its broadcaster]]` once built; dropped with the connections on shutdown. */
  private defaultTargets?: Target[];

  constructor(
    readonly config: ResolvedBroadcastConfig,
    options: BroadcastModuleOptions,
  ) {
    this.registry = new BroadcastConnections(config, options);
    this.failures = new BroadcastFailures(options.onError);
  }

  /**
   * The broadcaster of a named connection (the default when omitted), built on first use.
   * A name is a key of `connections` or a driver name (a connection of that driver).
   */
  connection(name: string = this.config.default): Broadcaster {
    return this.registry.get(name);
  }

  /** Closes every connection built so far. */
  protected async closeConnections(): Promise<void> {
    this.defaultTargets = undefined;
    await this.registry.close();
  }

  /**
   * Hands a prepared broadcast to its connections. Every connection is resolved before any
   * sends, so an unknown name does not leave the others half sent. With `'reject'` it throws
   * or rejects with the first failure; with `'report'` it never does, each failure logged
   * and given to onError. Undefined when nothing is left to wait for (no channels, a driver
   * that finished synchronously, a failure already reported).
   */
  protected deliver(
    message: PreparedBroadcast,
    connections: Connections,
    onFailure: OnFailure,
  ): Promise<void> | undefined {
    if (message.channels.length === 0) return undefined;
    let targets: Target[];
    try {
      targets = this.targets(connections);
    } catch (error) {
      return this.failures.failed(error, message, this.connectionNames(connections), onFailure);
    }
    if (targets.length === 1) {
      // One connection (the usual case): no allSettled bookkeeping.
      const [name, broadcaster] = targets[0];
      const sent = this.handTo(broadcaster, message);
      if (sent === undefined || onFailure === 'reject') return sent;
      return sent.then(undefined, (error: unknown) =>
        this.failures.failed(error, message, name, onFailure),
      );
    }
    const sends = targets.map(([, broadcaster]) => this.handTo(broadcaster, message));
    return Promise.allSettled(sends).then((outcomes) => {
      outcomes.forEach((outcome, index) => {
        if (outcome.status === 'rejected') {
          this.failures.failed(outcome.reason, message, targets[index][0], onFailure);
        }
      });
    });
  }

  /** The broadcasters of `connections` (the default connection when undefined). */
  /** Connection names for a log line: the default one spelled out. */
  protected connectionNames(connections: Connections): string {
    return connections === undefined ? this.config.default : [connections].flat().join(', ');
  }

  private targets(connections: Connections): Target[] {
    if (connections === undefined) {
      // Most broadcasts use the default connection: build its one-entry list once.
      return (this.defaultTargets ??= [[this.config.default, this.connection()]]);
    }
    if (!Array.isArray(connections)) return [[connections, this.connection(connections)]];
    return connections.map((name): Target => [name, this.connection(name)]);
  }

  /**
   * One driver call: the prepared message to a driver with `broadcastPrepared` (undefined
   * when it finished synchronously), the public arguments, and nothing more, to any other.
   * A driver that throws, or returns a plain value despite its type, still gives a promise.
   */
  private handTo(broadcaster: Broadcaster, message: PreparedBroadcast): Promise<void> | undefined {
    try {
      if (broadcaster.broadcastPrepared) {
        const sent = broadcaster.broadcastPrepared(message);
        return sent === undefined ? undefined : Promise.resolve(sent);
      }
      const { channels, event, payload, exceptSocketId } = message;
      const options = exceptSocketId ? { exceptSocketId } : {};
      return Promise.resolve(broadcaster.broadcast(channels, event, payload, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
