/** How the sample app is wired to the broadcast server. */
export interface SampleOptions {
  /**
   * `local`: the `local` driver hands broadcasts to a WebSocket server attached to the app's
   * own HTTP server (one process, nothing to install).
   * `redis`: the `redis` driver publishes to Redis; a standalone `nestjs-broadcasting serve`
   * process delivers to browsers.
   * @default 'local'
   */
  mode: 'local' | 'redis';
  /** Pusher-protocol app the browser connects to and the auth endpoint signs for. */
  app: { id: string; key: string; secret: string };
  /**
   * Where browsers reach the standalone server in `redis` mode; in `local` mode they use
   * the page's own host and port.
   * @default { port: BROADCASTING_SERVER_PORT ?? 6001 }
   */
  websocket?: { host?: string; port: number };
  /**
   * Redis for the `redis` driver.
   * @default { url: BROADCASTING_REDIS_URL, prefix: BROADCASTING_REDIS_PREFIX }
   */
  redis?: { url?: string; prefix?: string };
}

/** DI token of {@link SampleOptions}. */
export const SAMPLE_OPTIONS = Symbol('SAMPLE_OPTIONS');

/**
 * The demo's app credentials, overridable with BROADCASTING_APP_ID / _APP_KEY / _APP_SECRET
 * (the standalone server reads the same variables, so both processes agree).
 */
export function sampleAppCredentials(env: NodeJS.ProcessEnv = process.env): SampleOptions['app'] {
  return {
    id: env.BROADCASTING_APP_ID || 'orders-demo',
    key: env.BROADCASTING_APP_KEY || 'orders-demo-key',
    secret: env.BROADCASTING_APP_SECRET || 'orders-demo-secret-change-me',
  };
}
