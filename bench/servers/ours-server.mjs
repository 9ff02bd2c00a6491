/**
 * The server under test: this package's `startBroadcastServer`, loaded from the build
 * (`npm run build` compiles lib/ to dist/), listening on 127.0.0.1 on a free port.
 * The engine corks each subscriber's socket per event-loop turn itself (deliver()), so
 * nothing here wraps `ws`.
 *
 * With `metrics`, Prometheus metrics are on (their own port, prom-client's default process
 * metrics included) and this process scrapes itself over HTTP every `SCRAPE_EVERY_MS`,
 * Prometheus's default interval, so the scrapes' CPU counts against the server; `scrape()`
 * measures one scrape on request.
 *
 * With `webhooks` (a URL), the app sends every webhook event there.
 */
const SCRAPE_EVERY_MS = 15_000;

export async function startServer({ app, redis, scaling, metrics, webhooks }) {
  const { startBroadcastServer } = await import('../../dist/server/index.js');
  const handle = await startBroadcastServer({
    // `webhooks`: a URL that gets every event of the app (the webhooks scenario).
    apps: [webhooks ? { ...app, webhooks: [{ url: webhooks }] } : app],
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
    /** One scrape over HTTP: wall time and this process's CPU (server and client side). */
    scrape: metrics
      ? async () => {
          const cpu = process.cpuUsage();
          const started = performance.now();
          const text = await (await fetch(handle.metricsUrl)).text();
          const { user, system } = process.cpuUsage(cpu);
          return {
            wallMs: performance.now() - started,
            cpuMs: (user + system) / 1000,
            bytes: text.length,
          };
        }
      : undefined,
    close: () => {
      clearInterval(scraper);
      return handle.close();
    },
  };
}
