/** Log lines of webhook delivery, in one place. URLs are shown without credentials or query. */
export const WebhookMessages = {
  dropped: (appId: string, url: string, attempts: number, windowSeconds: number, last: string) =>
    `Webhook to ${url} (app ${appId}) dropped after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
    `over the ${windowSeconds} s retry window; last failure: ${last}. ` +
    'Check that the receiver answers 2xx within the timeout (server.webhooks.timeoutSeconds).',

  overflow: (appId: string, cap: number) =>
    `Webhooks of app ${appId} dropped: ${cap} are already waiting to be sent or retried ` +
    '(server.webhooks.maxPendingPerApp). The receiver is down or too slow; new events are ' +
    'counted in broadcasting_webhooks_overflow_total until the queue drains.',

  storeFailed: (error: unknown) =>
    `Webhooks: Redis did not answer (${(error as Error)?.message ?? String(error)}); ` +
    'keeping pending webhooks in this node’s memory until it does.',

  status: (status: number) => `HTTP ${status}`,
  timedOut: (seconds: number) => `no answer within ${seconds} s`,
  requestFailed: (error: unknown) =>
    (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error),
};

/** `https://host/path` of a webhook URL: no user info, no query (either may hold a token). */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
