import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from '../constants.js';
import { BroadcastException } from '../errors/broadcast.exception.js';
import { AuthMessages } from './auth-messages.js';
import type { BroadcastAuthOptions } from './auth-options.interface.js';
import { resolveAuthOptions, type ResolvedAuthOptions } from './resolved-auth-options.js';

type ModuleOptions = { auth?: BroadcastAuthOptions } | undefined;

/**
 * BroadcastModule's resolved configuration and auth options, as the auth pieces see them.
 *
 * Injected when BroadcastModule is global (the default). With `global: false` its tokens are
 * invisible to this module, so they are looked up in the app's container on first use, which
 * is `onModuleInit` at the earliest (every provider exists by then).
 */
@Injectable()
export class BroadcastAuthSettings {
  private resolved?: ResolvedAuthOptions;

  constructor(
    @Optional() private readonly moduleRef?: ModuleRef,
    @Optional() @Inject(BROADCAST_CONFIG) private broadcastConfig?: ResolvedBroadcastConfig,
    @Optional() @Inject(BROADCAST_MODULE_OPTIONS) private moduleOptions?: ModuleOptions,
  ) {}

  /** Settings from plain values (tests, or authorizing outside a Nest app). */
  static of(
    config: ResolvedBroadcastConfig,
    auth: BroadcastAuthOptions = {},
  ): BroadcastAuthSettings {
    return new BroadcastAuthSettings(undefined, config, { auth });
  }

  get config(): ResolvedBroadcastConfig {
    this.broadcastConfig ??= this.lookup<ResolvedBroadcastConfig>(BROADCAST_CONFIG);
    if (!this.broadcastConfig) throw new BroadcastException(AuthMessages.noBroadcastModule());
    return this.broadcastConfig;
  }

  /** Auth options with defaults applied; throws a BroadcastConfigError for a bad master key. */
  get options(): ResolvedAuthOptions {
    this.moduleOptions ??= this.lookup<ModuleOptions>(BROADCAST_MODULE_OPTIONS);
    return (this.resolved ??= resolveAuthOptions(this.config, this.moduleOptions?.auth));
  }

  private lookup<T>(token: symbol): T | undefined {
    try {
      return this.moduleRef?.get<T>(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}
