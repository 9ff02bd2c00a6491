import { Injectable } from '@nestjs/common';
import { BroadcastException } from '../errors/broadcast.exception.js';
import { AuthMessages } from './auth-messages.js';
import type {
  AuthorizableChannelKind,
  ChannelAuthCallback,
  ChannelAuthOptions,
  ChannelAuthParams,
} from './channel-auth.interface.js';
import {
  compileChannelPattern,
  matchChannelPattern,
  splitAuthorizableChannel,
  type CompiledChannelPattern,
} from './channel-pattern.js';

const ALL_KINDS: AuthorizableChannelKind[] = ['private', 'presence', 'encrypted'];

/** One registered pattern and the callback that decides for it. */
export interface ChannelAuthEntry {
  pattern: string;
  kinds: AuthorizableChannelKind[];
  callback: ChannelAuthCallback;
  /** Who registered it, for messages: `OrdersChannels.order` or `registry.register()`. */
  source: string;
}

/** The entry that decides for a channel and the values of its `{params}`. */
export interface ChannelAuthMatch {
  entry: ChannelAuthEntry;
  params: ChannelAuthParams;
  kind: AuthorizableChannelKind;
}

/**
 * The channel patterns of the app, in registration order. Filled at bootstrap from
 * `@ChannelAuth` methods; `register()` adds patterns by hand (e.g. from a plain function).
 */
@Injectable()
export class ChannelAuthRegistry {
  private readonly entries: Array<ChannelAuthEntry & { compiled: CompiledChannelPattern }> = [];

  /**
   * Adds a pattern. Throws a {@link BroadcastException} for a malformed pattern, or when
   * the same pattern is already registered for an overlapping channel kind (naming both).
   */
  register(
    pattern: string,
    callback: ChannelAuthCallback,
    options: ChannelAuthOptions & { source?: string } = {},
  ): this {
    const source = options.source ?? 'ChannelAuthRegistry.register()';
    let compiled: CompiledChannelPattern;
    try {
      compiled = compileChannelPattern(pattern);
    } catch (error) {
      throw new BroadcastException(
        AuthMessages.invalidPattern(String(pattern), source, (error as Error).message),
      );
    }
    const kinds = options.kinds?.length ? [...new Set(options.kinds)] : ALL_KINDS;
    const unknownKind = kinds.find((k) => !ALL_KINDS.includes(k));
    if (unknownKind)
      throw new BroadcastException(
        AuthMessages.invalidPattern(
          pattern,
          source,
          `unknown kind "${unknownKind}" (use ${ALL_KINDS.join(', ')})`,
        ),
      );
    const clash = this.entries.find(
      (e) => e.pattern === pattern && e.kinds.some((k) => kinds.includes(k)),
    );
    if (clash)
      throw new BroadcastException(AuthMessages.duplicatePattern(pattern, clash.source, source));
    this.entries.push({ pattern, kinds, callback, source, compiled });
    return this;
  }

  /**
   * The first registered entry whose pattern matches the whole unprefixed name and whose
   * kinds include the channel's kind. `undefined` for public channels and for no match.
   */
  match(channelName: string): ChannelAuthMatch | undefined {
    const channel = splitAuthorizableChannel(channelName);
    if (!channel) return undefined;
    for (const entry of this.entries) {
      if (!entry.kinds.includes(channel.kind)) continue;
      const params = matchChannelPattern(entry.compiled, channel.name);
      if (params) return { entry, params, kind: channel.kind };
    }
    return undefined;
  }

  /** Registered patterns in matching order (for diagnostics and tests). */
  patterns(): string[] {
    return this.entries.map((e) => e.pattern);
  }

  /** Removes every pattern (tests; hot reload). */
  clear(): void {
    this.entries.length = 0;
  }
}
