/**
 * `npm start`: the orders dashboard with nothing but npm packages. The `local` driver hands
 * each broadcast to the WebSocket server attached to this app's own HTTP server.
 *
 * PORT (default 3000) and HOST (default 127.0.0.1) pick where it listens.
 */
import { startFromCommandLine } from './bootstrap.js';
import { sampleAppCredentials } from './sample-options.js';

await startFromCommandLine({ mode: 'local', app: sampleAppCredentials() }, 'Orders dashboard');
