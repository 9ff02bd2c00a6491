/** DI token: the options given to BroadcastServerModule.forRoot / returned by forRootAsync. */
export const BROADCAST_SERVER_MODULE_OPTIONS = Symbol('nestjs-broadcasting:server-module-options');

/** The raw answer to an upgrade on a path that is not `/app/{key}`: no WebSocket there. */
export const UPGRADE_NOT_FOUND =
  'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
