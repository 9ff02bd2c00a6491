import { BroadcastMessages } from '../core/broadcast-messages.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';
import { loadOptionalPackage } from '../shared/optional-package.js';
import type {
  Broadcaster,
  BroadcastSendOptions,
  PreparedBroadcast,
} from './broadcaster.interface.js';
import { preparedJson } from './prepared-json.js';
import { isEncryptedChannel } from '../shared/pusher-protocol/channel-prefixes.js';

/** The Pusher HTTP API accepts at most this many channels per trigger. */
export const PUSHER_MAX_CHANNELS_PER_TRIGGER = 100;

export interface PusherBroadcasterOptions {
  /** Connection name, for error messages. */
  connection: string;
  appId: string;
  key: string;
  secret: string;
  host?: string;
  port?: number;
  scheme?: 'http' | 'https';
  cluster?: string;
  timeout?: number;
  /** Base64 of 32 bytes; the SDK encrypts payloads on `private-encrypted-` channels with it. */
  encryptionMasterKey?: string;
}

interface PusherClient {
  trigger(
    channels: string[],
    event: string,
    data: unknown,
    params?: { socket_id?: string },
  ): Promise<unknown>;
}

type PusherConstructor = new (options: Record<string, unknown>) => PusherClient;

/**
 * Sends through the official `pusher` SDK to Pusher Channels or any Pusher-compatible
 * server (this package's included). Channels go in chunks of 100, the API's limit;
 * each encrypted channel goes alone because the SDK encrypts per channel.
 */
export class PusherBroadcaster implements Broadcaster {
  private client?: Promise<PusherClient>;

  constructor(private readonly options: PusherBroadcasterOptions) {}

  /** Plain channels are sent the manager's JSON of the payload, not serialized again. */
  broadcastPrepared(message: PreparedBroadcast): Promise<void> {
    return this.broadcast(message.channels, message.event, message.payload, message);
  }

  async broadcast(
    channels: string[],
    event: string,
    payload: Record<string, unknown>,
    options: BroadcastSendOptions | PreparedBroadcast = {},
  ): Promise<void> {
    const client = await this.getClient();
    const params = options.exceptSocketId ? { socket_id: options.exceptSocketId } : undefined;
    const encrypted = channels.filter(isEncryptedChannel);
    const plain = channels.filter((channel) => !isEncryptedChannel(channel));
    // The SDK sends a string `data` as is; encrypted channels get the object, since the SDK
    // stringifies what it encrypts.
    const json = preparedJson(payload, options);
    const batches: Array<[string[], unknown]> = encrypted.map((channel) => [[channel], payload]);
    for (let i = 0; i < plain.length; i += PUSHER_MAX_CHANNELS_PER_TRIGGER) {
      batches.push([plain.slice(i, i + PUSHER_MAX_CHANNELS_PER_TRIGGER), json ?? payload]);
    }
    await Promise.all(
      batches.map(async ([batch, data]) => {
        try {
          await client.trigger(batch, event, data, params);
        } catch (error) {
          throw this.failure(event, batch, error);
        }
      }),
    );
  }

  private getClient(): Promise<PusherClient> {
    if (!this.client) {
      const { appId, key, secret, host, port, scheme, cluster, timeout, encryptionMasterKey } =
        this.options;
      const pending = loadOptionalPackage<{ default: PusherConstructor }>(
        'pusher',
        'The pusher broadcast driver',
      ).then(
        ({ default: Pusher }) =>
          new Pusher({
            appId,
            key,
            secret,
            host,
            port,
            cluster,
            timeout,
            // Pusher's hosted API is HTTPS; a self-hosted server says `scheme: 'http'`.
            useTLS: (scheme ?? 'https') === 'https',
            ...(encryptionMasterKey ? { encryptionMasterKeyBase64: encryptionMasterKey } : {}),
          }),
      );
      pending.catch(() => {
        if (this.client === pending) this.client = undefined;
      });
      this.client = pending;
    }
    return this.client;
  }

  private failure(event: string, channels: string[], error: unknown): BroadcastDriverError {
    const { status, body } = error as { status?: number; body?: string };
    const { connection } = this.options;
    if (typeof status === 'number') {
      const text = body === undefined ? '' : String(body);
      return new BroadcastDriverError(
        BroadcastMessages.pusherStatus(event, channels.length, connection, status, text),
        { status, body: body === undefined ? undefined : text, cause: error },
      );
    }
    // The SDK's RequestError says only "Request failed"; the network error it wraps says why.
    const cause = (error as { error?: { message?: string } })?.error?.message;
    const reason = [(error as Error)?.message ?? String(error), cause].filter(Boolean).join(': ');
    return new BroadcastDriverError(
      BroadcastMessages.pusherRequestFailed(event, channels.length, connection, reason),
      { cause: error },
    );
  }
}
