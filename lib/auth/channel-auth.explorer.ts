import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { BroadcastConfigError } from '../errors/broadcast.exception.js';
import { CHANNEL_AUTH_METADATA } from './auth.constants.js';
import { AuthMessages } from './auth-messages.js';
import { BroadcastAuthSettings } from './broadcast-auth.settings.js';
import type { ChannelAuthMetadata } from './channel-auth.interface.js';
import { ChannelAuthRegistry } from './channel-auth.registry.js';
import { withMemberSchema } from './contract-member.js';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Finds `@ChannelAuth` methods on every provider and controller and registers them, in
 * module order, with the {@link ChannelAuthRegistry}.
 *
 * Runs in `onModuleInit`, when every singleton exists, so a duplicate pattern or a missing
 * app secret fails `app.init()` before the app listens. Request-scoped hosts are skipped:
 * an authorization request is not the request their instance would belong to.
 */
@Injectable()
export class ChannelAuthExplorer implements OnModuleInit {
  private readonly logger = new Logger('ChannelAuth');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: ChannelAuthRegistry,
    private readonly settings: BroadcastAuthSettings,
  ) {}

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      if (!wrapper.instance || wrapper.isAlias || typeof wrapper.instance !== 'object') continue;
      this.registerMethods(wrapper);
    }
    this.assertCredentials();
  }

  private registerMethods(wrapper: InstanceWrapper): void {
    const instance = wrapper.instance as Record<string, unknown>;
    const prototype = Object.getPrototypeOf(instance);
    if (!prototype) return;
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = instance[methodName];
      if (typeof method !== 'function') continue;
      const metadata = this.reflector.get<ChannelAuthMetadata | undefined>(
        CHANNEL_AUTH_METADATA,
        method,
      );
      if (!metadata) continue;
      const source = `${prototype.constructor?.name ?? 'anonymous'}.${methodName}`;
      if (!wrapper.isDependencyTreeStatic()) {
        this.logger.warn(AuthMessages.requestScopedHost(source));
        continue;
      }
      this.registry.register(
        metadata.pattern,
        withMemberSchema(
          (user, params) => method.call(instance, user, params),
          metadata.member,
          source,
        ),
        {
          ...metadata.options,
          source,
        },
      );
    }
  }

  /** A callback without credentials to sign with could never grant anything: fail now. */
  private assertCredentials(): void {
    if (this.registry.patterns().length === 0) return;
    const { app, sources } = this.settings.config;
    const { key, secret } = app ?? {};
    if (key && secret) return;
    const missing = key ? 'app.secret' : 'app.key';
    throw new BroadcastConfigError(AuthMessages.missingCredentials(), missing, sources?.[missing]);
  }
}
