import type { AppMetrics, ServerMetrics } from './server-metrics.interface.js';

const NO_APP_METRICS: AppMetrics = {
  connectionOpened() {},
  connectionClosed() {},
  messageReceived() {},
  messagesSent() {},
  fannedOut() {},
  slowConsumerClosed() {},
  webhookSent() {},
  webhookFailed() {},
  webhookOverflowed() {},
};

/** Metrics off: every call does nothing, and the fan-out reads no clock. */
export const NO_METRICS: ServerMetrics = {
  timesDelivery: false,
  forApp: () => NO_APP_METRICS,
  attach() {},
  flushed() {},
  httpRequest() {},
  watchWebhooks() {},
};
