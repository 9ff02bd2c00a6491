import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BroadcastAuthRoutes } from './broadcast-auth.routes.js';
import { BroadcastAuthSettings } from './broadcast-auth.settings.js';
import { ChannelAuthExplorer } from './channel-auth.explorer.js';
import { ChannelAuthRegistry } from './channel-auth.registry.js';
import { ChannelAuthorizer } from './channel-authorizer.js';

/**
 * Channel authorization, imported by `BroadcastModule`: discovers `@ChannelAuth` methods,
 * mounts the auth endpoints and provides {@link ChannelAuthorizer} / {@link ChannelAuthRegistry}
 * to the whole app (global, since `BroadcastModule` imports it rather than re-exporting it).
 * Reads `BROADCAST_CONFIG` and `BROADCAST_MODULE_OPTIONS` of `BroadcastModule` through
 * {@link BroadcastAuthSettings}.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    BroadcastAuthSettings,
    ChannelAuthRegistry,
    ChannelAuthorizer,
    ChannelAuthExplorer,
    BroadcastAuthRoutes,
  ],
  exports: [ChannelAuthRegistry, ChannelAuthorizer],
})
export class BroadcastAuthModule {}
