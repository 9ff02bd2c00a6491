import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';
import { BROADCAST_CONFIG, BROADCAST_MODULE_OPTIONS } from '../constants.js';
import type { BroadcastAuthOptions } from './auth-options.interface.js';
import { resolveAuthOptions, type ResolvedAuthOptions } from './resolved-auth-options.js';

type ModuleOptions = { auth?: BroadcastAuthOptions };

/**
 * BroadcastModule's resolved configuration and auth options, as the auth pieces see them.
 * Declared beside BROADCAST_CONFIG and BROADCAST_MODULE_OPTIONS (broadcast-auth.providers.ts),
 * so both are injected whether or not the module is global.
 */
@Injectable()
export class BroadcastAuthSettings {
  private resolved?: ResolvedAuthOptions;

  constructor(
    @Inject(BROADCAST_CONFIG) readonly config: ResolvedBroadcastConfig,
    @Inject(BROADCAST_MODULE_OPTIONS) private readonly moduleOptions: ModuleOptions,
  ) {}

  /** Settings from plain values (tests, or authorizing outside a Nest app). */
  static of(
    config: ResolvedBroadcastConfig,
    auth: BroadcastAuthOptions = {},
  ): BroadcastAuthSettings {
    return new BroadcastAuthSettings(config, { auth });
  }

  /**
   * Auth options with defaults applied; throws a BroadcastConfigError for a bad master key.
   * Resolved on first use: at boot when the endpoints are mounted (the routes read it in
   * `onModuleInit`), else at the first authorization.
   */
  get options(): ResolvedAuthOptions {
    return (this.resolved ??= resolveAuthOptions(this.config, this.moduleOptions.auth));
  }
}
