/**
 * The server under test: this package's `startBroadcastServer`, loaded from the build
 * (`npm run build` compiles lib/ to dist/), listening on 127.0.0.1 on a free port.
 * The engine corks each subscriber's socket per event-loop turn itself (deliver()), so
 * nothing here wraps `ws`.
 *
 * With `metrics`, Prometheus metrics are on (their own port, prom-client's default process
 * metrics included) and this process scrapes itself over HTTP every `SCRAPE_EVERY_MS`, 15
 * times as often as Prometheus's default interval: its CPU counts against the server.
 */
const SCRAPE_EVERY_MS = 1000;

export async function startServer({ app, redis, scaling, metrics }) {
  const { startBroadcastServer } = await import('../../dist/server/index.js');
  const handle = await startBroadcastServer({
    apps: [app],
    host: '127.0.0.1',
    port: 0,
    localHub: false,
    redis: redis ?? false,
    ...(scaling ? { scaling } : {}),
    metrics: metrics ? { port: 0 } : false,
    // Long enough that no server ping lands inside a measurement.
    activityTimeout: 120,
    logger: false,
  });
  const scraper =
    metrics &&
    setInterval(() => {
      fetch(handle.metricsUrl)
        .then((res) => res.text())
        .catch(() => {});
    }, SCRAPE_EVERY_MS);
  return {
    port: handle.port,
    wsPath: `/app/${app.key}`,
    close: () => {
      clearInterval(scraper);
      return handle.close();
    },
  };
}
