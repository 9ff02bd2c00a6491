import type { Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BroadcastAuthRoutes } from './broadcast-auth.routes.js';
import { BroadcastAuthSettings } from './broadcast-auth.settings.js';
import { ChannelAuthExplorer } from './channel-auth.explorer.js';
import { ChannelAuthRegistry } from './channel-auth.registry.js';
import { ChannelAuthorizer } from './channel-authorizer.js';

/**
 * Channel authorization's providers. They inject `BROADCAST_CONFIG` and
 * `BROADCAST_MODULE_OPTIONS`, so they are declared in the same dynamic module that provides
 * those (BroadcastModule, BroadcastTestingModule) rather than in a module of their own that
 * would have to reach back for them.
 */
export const broadcastAuthProviders: Provider[] = [
  BroadcastAuthSettings,
  ChannelAuthRegistry,
  ChannelAuthorizer,
  ChannelAuthExplorer,
  BroadcastAuthRoutes,
];

/** What the app injects: authorize from its own code, register patterns by hand. */
export const broadcastAuthExports = [ChannelAuthorizer, ChannelAuthRegistry];

/** The explorer finds `@ChannelAuth` methods through DiscoveryService. */
export const broadcastAuthImports = [DiscoveryModule];
