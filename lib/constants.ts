/** DI token: the options given to BroadcastModule.forRoot / returned by forRootAsync. */
export const BROADCAST_MODULE_OPTIONS = Symbol('nestjs-broadcasting:module-options');
/** DI token: the {@link ResolvedBroadcastConfig} after the configuration cascade. */
export const BROADCAST_CONFIG = Symbol('nestjs-broadcasting:config');
