import type { EventContract, ParamsOf, PayloadInput } from '../contract/event-contract.js';
import type { ShouldBroadcast } from '../events/should-broadcast.interface.js';
import type { ChannelLike } from './channel.js';

/** One direct broadcast: `manager.send({ channels, event, payload })`. */
export interface BroadcastMessage {
  /** Channels (or full channel names) to publish on. */
  channels: ChannelLike | ChannelLike[];
  /** Event name the clients listen for. */
  event: string;
  /** JSON-serializable object. @default {} */
  payload?: Record<string, unknown>;
  /** Socket (`123.456`) that must not receive it, usually the sender's X-Socket-ID. */
  exceptSocketId?: string;
  /** Connection(s) to send through. @default the default connection */
  connection?: string | string[];
  /** Queue it (true: the default queue, or a queue name) instead of sending now. @default false */
  queue?: boolean | string;
  /** Hold it until the current database transaction commits. @default false */
  afterCommit?: boolean;
}

/** The last argument of `send(contract, params, payload, options)`. */
export interface ContractSendOptions {
  /** Socket (`123.456`) that must not receive it, usually the sender's X-Socket-ID. */
  exceptSocketId?: string;
  /** Connection(s) to send through. @default the default connection */
  connection?: string | string[];
  /** Queue it (true: the default queue, or a queue name) instead of sending now. @default false */
  queue?: boolean | string;
  /** Hold it until the current database transaction commits. @default false */
  afterCommit?: boolean;
}

/** What `toOthers()` returns: `send` and `event` that exclude one socket. */
export interface PendingBroadcast {
  send(message: BroadcastMessage): Promise<void>;
  send<E extends EventContract>(
    event: E,
    params: ParamsOf<E>,
    payload: PayloadInput<E>,
    options?: ContractSendOptions,
  ): Promise<void>;
  event(
    event: ShouldBroadcast,
    options?: { queue?: boolean | string; afterCommit?: boolean },
  ): Promise<void>;
}
