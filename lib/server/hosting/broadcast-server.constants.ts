/** DI token: the options given to BroadcastServerModule.forRoot / returned by forRootAsync. */
export const BROADCAST_SERVER_MODULE_OPTIONS = Symbol('nestjs-broadcasting:server-module-options');
