/**
 * The app process of `npm run start:redis`: the `redis` driver PUBLISHes each broadcast
 * (Laravel's message format) and a standalone `nestjs-broadcasting serve` process delivers
 * it to browsers, so the app and the WebSocket server scale separately.
 *
 * Reads BROADCASTING_REDIS_URL / _REDIS_PREFIX (driver), BROADCASTING_APP_* (shared with the
 * server), BROADCASTING_SERVER_PORT (where browsers find the server, default 6001) and
 * PORT / HOST (this app, default 127.0.0.1:3000).
 */
import { startFromCommandLine } from './bootstrap.js';
import { sampleAppCredentials } from './sample-options.js';

await startFromCommandLine(
  {
    mode: 'redis',
    app: sampleAppCredentials(),
    // Browsers reach the standalone server on the page's host name, at this port.
    websocket: { port: Number(process.env.BROADCASTING_SERVER_PORT || 6001) },
  },
  'Orders dashboard (redis driver, standalone server)',
);
