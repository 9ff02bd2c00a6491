/**
 * The server under test: this package's `startBroadcastServer`, loaded from the build
 * (`npm run build` compiles lib/ to dist/), listening on 127.0.0.1 on a free port.
 * The engine corks each subscriber's socket per event-loop turn itself (deliver()), so
 * nothing here wraps `ws`.
 */
export async function startServer({ app, redis, scaling }) {
  const { startBroadcastServer } = await import('../../dist/server/index.js');
  const handle = await startBroadcastServer({
    apps: [app],
    host: '127.0.0.1',
    port: 0,
    localHub: false,
    redis: redis ?? false,
    ...(scaling ? { scaling } : {}),
    // Long enough that no server ping lands inside a measurement.
    activityTimeout: 120,
    logger: false,
  });
  return {
    port: handle.port,
    wsPath: `/app/${app.key}`,
    close: () => handle.close(),
  };
}
