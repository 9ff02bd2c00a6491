import { Injectable, Logger } from '@nestjs/common';
import {
  BroadcastAuthError,
  BroadcastConfigError,
  BroadcastException,
  type AuthDenialReason,
} from '../errors/broadcast.exception.js';
import { channelNameProblem, isValidSocketId } from '../shared/pusher-protocol/channel-names.js';
import { signChannel, signUser } from '../shared/pusher-protocol/signatures.js';
import { AuthMessages } from './auth-messages.js';
import type {
  ChannelAuthRequest,
  ChannelAuthResponse,
  ChannelAuthResult,
  UserAuthRequest,
  UserAuthResponse,
} from './channel-auth.interface.js';
import { BroadcastAuthSettings } from './broadcast-auth.settings.js';
import { ChannelAuthRegistry, type ChannelAuthMatch } from './channel-auth.registry.js';
import { splitAuthorizableChannel } from './channel-pattern.js';
import { encryptedChannelSharedSecret } from './encrypted-channel-secret.js';

/**
 * Decides channel authorizations and signs the responses pusher-js expects. The auth
 * endpoints call it; call it yourself from your own controller, a GraphQL resolver or a test.
 *
 * Denials throw {@link BroadcastAuthError} (`reason`, `status` 400/403); misconfiguration
 * (no app credentials, no master key for an encrypted channel, a bad presence user id)
 * throws another {@link BroadcastException}, which endpoints answer with 500.
 */
@Injectable()
export class ChannelAuthorizer {
  private readonly logger = new Logger('ChannelAuth');

  constructor(
    private readonly registry: ChannelAuthRegistry,
    private readonly settings: BroadcastAuthSettings,
  ) {}

  /** Authorizes `user` for a private, encrypted or presence channel. */
  async authorizeChannel(request: ChannelAuthRequest): Promise<ChannelAuthResponse> {
    const { user, socketId, channelName } = request;
    const missing = [
      ...(isBlank(socketId) ? ['socket_id'] : []),
      ...(isBlank(channelName) ? ['channel_name'] : []),
    ];
    if (missing.length) throw deny('missing_fields', AuthMessages.missingFields(missing), 400);
    if (!isValidSocketId(socketId))
      throw deny('invalid_socket_id', AuthMessages.invalidSocketId(String(socketId)));
    const problem = channelNameProblem(channelName);
    if (problem) throw deny('invalid_channel', AuthMessages.invalidChannel(problem));
    const channel = channelName as string;
    const split = splitAuthorizableChannel(channel);
    if (!split) throw deny('invalid_channel', AuthMessages.notAuthorizable(channel));

    const { key, secret } = this.credentials();
    const masterKey = split.kind === 'encrypted' ? this.masterKey(channel) : undefined;
    if (user === null || user === undefined)
      throw deny('unauthenticated', AuthMessages.unauthenticated());

    const match = this.registry.match(channel);
    if (!match)
      throw deny(
        'no_matching_pattern',
        AuthMessages.noMatchingPattern(channel),
        403,
        AuthMessages.noMatchingPatternDetail(channel, this.registry.patterns()),
      );
    const result = await this.runCallback(match, user, channel);
    if (!result)
      throw deny(
        'callback_denied',
        AuthMessages.callbackDenied(channel),
        403,
        AuthMessages.callbackDeniedDetail(channel, match.entry.source),
      );

    if (split.kind === 'presence') {
      const channelData = JSON.stringify({
        user_id: this.presenceUserId(user),
        user_info: this.presenceInfo(result, match, channel),
      });
      // Key order as the pusher SDK writes it, so the bodies are byte-identical.
      return {
        channel_data: channelData,
        auth: signChannel(key, secret, socketId, channel, channelData),
      };
    }
    const response: ChannelAuthResponse = { auth: signChannel(key, secret, socketId, channel) };
    if (masterKey) response.shared_secret = encryptedChannelSharedSecret(masterKey, channel);
    return response;
  }

  /** Signs `pusher:signin` user authentication for `user` (`{ auth, user_data }`). */
  authenticateUser(request: UserAuthRequest): UserAuthResponse {
    const { user, socketId } = request;
    if (isBlank(socketId))
      throw deny('missing_fields', AuthMessages.missingFields(['socket_id']), 400);
    if (!isValidSocketId(socketId))
      throw deny('invalid_socket_id', AuthMessages.invalidSocketId(String(socketId)));
    const { key, secret } = this.credentials();
    if (user === null || user === undefined)
      throw deny('unauthenticated', AuthMessages.unauthenticated());

    const userData = this.settings.options.resolveUserData(user) as { id?: unknown } | null;
    if (
      typeof userData !== 'object' ||
      userData === null ||
      typeof userData.id !== 'string' ||
      userData.id === ''
    )
      throw new BroadcastException(AuthMessages.badUserData(userData));
    const serialized = JSON.stringify(userData);
    return { auth: signUser(key, secret, socketId, serialized), user_data: serialized };
  }

  private async runCallback(
    match: ChannelAuthMatch,
    user: unknown,
    channel: string,
  ): Promise<ChannelAuthResult> {
    try {
      return await match.entry.callback(user, match.params);
    } catch (error) {
      const detail = AuthMessages.callbackErrorLog(channel, match.entry.source);
      this.logger.error(detail, error instanceof Error ? error.stack : String(error));
      throw deny('callback_error', AuthMessages.callbackError(channel), 403, detail);
    }
  }

  /**
   * `true` → no user_info; a plain object → user_info; anything else is a programming error,
   * logged with the method that made it while the client hears only the channel.
   */
  private presenceInfo(
    result: ChannelAuthResult,
    match: ChannelAuthMatch,
    channel: string,
  ): object | undefined {
    if (result === true) return undefined;
    if (typeof result === 'object' && result !== null && !Array.isArray(result)) return result;
    this.logger.error(AuthMessages.badPresenceInfoLog(channel, match.entry.source));
    throw new BroadcastException(AuthMessages.badPresenceInfo(channel));
  }

  private presenceUserId(user: unknown): string | number {
    const id = this.settings.options.presenceUserId(user);
    if ((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)))
      return id;
    throw new BroadcastException(AuthMessages.badPresenceUserId(id));
  }

  private credentials(): { key: string; secret: string } {
    const { app, sources } = this.settings.config;
    const { key, secret } = app ?? {};
    if (!key || !secret)
      throw new BroadcastConfigError(
        AuthMessages.missingCredentials(),
        key ? 'app.secret' : 'app.key',
        sources?.[key ? 'app.secret' : 'app.key'],
      );
    return { key, secret };
  }

  private masterKey(channel: string): Buffer {
    const masterKey = this.settings.options.encryptionMasterKey;
    if (!masterKey)
      throw new BroadcastConfigError(AuthMessages.missingMasterKey(channel), 'encryptionMasterKey');
    return masterKey;
  }
}

function deny(
  reason: AuthDenialReason,
  message: string,
  status: 400 | 403 = 403,
  detail?: string,
): BroadcastAuthError {
  return new BroadcastAuthError(message, reason, status, detail);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
