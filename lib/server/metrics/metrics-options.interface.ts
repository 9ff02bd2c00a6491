/**
 * Prometheus metrics of the broadcast server, served on a port of their own (never the
 * public one). Needs the optional peer `prom-client`.
 */
export interface ServerMetricsOptions {
  /**
   * Port of the metrics endpoint; `0` picks a free one. Must differ from the server's port:
   * metrics are never served where clients connect.
   */
  port: number;
  /**
   * Interface the metrics endpoint listens on. Keep it private: the metrics name the apps.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Path of the endpoint, for `GET` (and `HEAD`).
   * @default '/metrics'
   */
  path?: string;
  /**
   * Prefix of every metric name the server defines (`broadcasting_connections`, ...);
   * prom-client's default process metrics keep their own names.
   * @default 'broadcasting_'
   */
  prefix?: string;
  /**
   * Also collect prom-client's default process metrics (CPU, memory, event loop lag, GC).
   * @default true
   */
  defaultMetrics?: boolean;
}
