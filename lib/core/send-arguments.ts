import type { EventContract } from '../contract/event-contract.js';
import type { PreparedBroadcast } from '../drivers/broadcaster.interface.js';
import { BroadcastChannelError, BroadcastDriverError } from '../errors/broadcast.exception.js';
import { BroadcastMessages } from './broadcast-messages.js';
import { channelNames } from './channel.js';
import { isEventContract, validateContractPayload } from './contract-payload.js';
import type { BroadcastMessage, ContractSendOptions } from './direct-broadcast.interface.js';
import { prepareBroadcast } from './prepare-broadcast.js';

/** The two ways to call `send()`: a message object, or a contract with params and payload. */
export type SendArguments =
  | [message: BroadcastMessage]
  | [event: EventContract, params: unknown, payload: unknown, options?: ContractSendOptions];

/** What `send()` hands to its connections. */
export interface PreparedSend {
  prepared: PreparedBroadcast;
  connection?: string | string[];
  /** Queue it (true, or a queue name); falsy: send now. */
  queue?: boolean | string;
  afterCommit?: boolean;
}

/**
 * Turns `send()`'s arguments into one prepared broadcast. A contract builds the channel name
 * from its params (a missing or bad one is a BroadcastChannelError naming it) and validates
 * the payload against its schema first; a message object is prepared as it always was.
 */
export async function prepareSend(args: SendArguments): Promise<PreparedSend> {
  const [message] = args;
  if (isEventContract(message)) {
    const [, params, payload, options = {}] = args as Extract<
      SendArguments,
      [EventContract, ...unknown[]]
    >;
    let channel: string;
    try {
      channel = message.channel.name(params as never);
    } catch (error) {
      throw new BroadcastChannelError((error as Error).message, message.channel.pattern);
    }
    const checked = await validateContractPayload(message, payload as Record<string, unknown>);
    const prepared = prepareBroadcast([channel], message.name, checked, options.exceptSocketId);
    const { connection, queue, afterCommit } = options;
    return { prepared, connection, queue, afterCommit };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new BroadcastDriverError(BroadcastMessages.notAnEventContract(message));
  }
  const { channels, event, payload, exceptSocketId, connection, queue, afterCommit } = message;
  return {
    prepared: prepareBroadcast(channelNames(channels), event, payload, exceptSocketId),
    connection,
    queue,
    afterCommit,
  };
}

/** The same arguments with `except` as the excluded socket, unless they name one (`toOthers`). */
export function excluding(args: SendArguments, except: string | undefined): SendArguments {
  const [message, params, payload, options = {}] = args;
  if (isEventContract(message)) {
    return [
      message,
      params,
      payload,
      { ...options, exceptSocketId: options.exceptSocketId ?? except },
    ];
  }
  return [{ ...message, exceptSocketId: message.exceptSocketId ?? except }];
}
