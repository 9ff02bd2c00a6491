/**
 * Server child: runs one server (ours or a baseline) alone in its process, so the parent can
 * read its CPU time from /proc/<pid>/stat, and answers memory questions over IPC.
 * Usage (forked by the bench): node --expose-gc server-host.mjs <kind> '<options json>'
 */
import { serveRequests } from '../harness/ipc-child.mjs';

const kinds = {
  'raw-ws': async (options) =>
    (await import('./raw-ws-server.mjs')).startServer({ ...options, mode: 'send' }),
  'raw-cork': async (options) =>
    (await import('./raw-ws-server.mjs')).startServer({ ...options, mode: 'cork' }),
  'raw-frame': async (options) =>
    (await import('./raw-ws-server.mjs')).startServer({ ...options, mode: 'write' }),
  socketio: async (options) => (await import('./socketio-server.mjs')).startServer(options),
  ours: async (options) => (await import('./ours-server.mjs')).startServer(options),
  'ours-metrics': async (options) =>
    (await import('./ours-server.mjs')).startServer({ ...options, metrics: true }),
};

const [kind, optionsJson = '{}'] = process.argv.slice(2);
if (!kinds[kind])
  throw new Error(`unknown server kind '${kind}' (${Object.keys(kinds).join(', ')})`);
const server = await kinds[kind](JSON.parse(optionsJson));

serveRequests(
  {
    info: () => ({ port: server.port, wsPath: server.wsPath, pid: process.pid }),
    /** Memory after two full collections, so idle-connection cost is not hidden garbage. */
    memory: async () => {
      for (let i = 0; i < 3; i++) {
        globalThis.gc?.();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return process.memoryUsage();
    },
    /** One Prometheus scrape's cost, for servers with metrics on. */
    scrape: () => server.scrape?.(),
  },
  { onExit: () => server.close() },
);
