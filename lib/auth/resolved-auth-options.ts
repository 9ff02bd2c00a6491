import type { CanActivate, Type } from '@nestjs/common';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import type { BroadcastAuthOptions, BroadcastAuthRequest } from './auth-options.interface.js';
import { AuthMessages } from './auth-messages.js';
import { decodeEncryptionMasterKey } from './encrypted-channel-secret.js';

/** {@link BroadcastAuthOptions} with every default applied, plus what it needs from the config. */
export interface ResolvedAuthOptions {
  enabled: boolean;
  guards: Array<Type<CanActivate> | CanActivate>;
  resolveUser: (req: BroadcastAuthRequest) => unknown | Promise<unknown>;
  presenceUserId: (user: any) => unknown;
  resolveUserData: (user: any) => unknown;
  exposeDenialReasons: boolean;
  authEndpoint: string;
  userAuthEndpoint: string;
  /** Decoded BROADCASTING_ENCRYPTION_MASTER_KEY, when set. */
  encryptionMasterKey?: Buffer;
}

/** Applies the defaults documented on {@link BroadcastAuthOptions}. Fails on a bad master key. */
export function resolveAuthOptions(
  config: ResolvedBroadcastConfig,
  options: BroadcastAuthOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedAuthOptions {
  return {
    enabled: options.enabled ?? true,
    guards: options.guards ?? [],
    resolveUser: options.resolveUser ?? ((req) => req.user),
    presenceUserId: options.presenceUserId ?? ((user) => user?.id),
    resolveUserData:
      options.resolveUserData ??
      ((user) => ({
        id: user?.id === undefined || user?.id === null ? undefined : String(user.id),
      })),
    exposeDenialReasons: options.exposeDenialReasons ?? env.NODE_ENV !== 'production',
    authEndpoint: config.authEndpoint ?? '/broadcasting/auth',
    userAuthEndpoint: config.userAuthEndpoint ?? '/broadcasting/user-auth',
    encryptionMasterKey: decodeMasterKey(config),
  };
}

function decodeMasterKey(config: ResolvedBroadcastConfig): Buffer | undefined {
  if (config.encryptionMasterKey === undefined || config.encryptionMasterKey === '')
    return undefined;
  const source = config.sources?.encryptionMasterKey ?? 'option';
  try {
    return decodeEncryptionMasterKey(config.encryptionMasterKey);
  } catch (error) {
    throw new BroadcastConfigError(
      AuthMessages.badMasterKey(source, (error as Error).message),
      'encryptionMasterKey',
      source,
    );
  }
}
