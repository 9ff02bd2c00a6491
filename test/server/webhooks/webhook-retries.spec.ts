import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StartBroadcastServerOptions } from '../../../lib/server/hosting/start-broadcast-server.js';
import {
  HTTP_APP,
  record,
  recordingLogger,
  serverSdk,
  subscribed,
  useTestServers,
  waitFor,
} from '../support/broadcast-server-harness.js';
import { WebhookReceiver, type Answer } from './support/webhook-receiver.js';
import { scrape, scrapeUntil } from '../support/metrics-scrape.js';

/**
 * Delivery, not just sending: failures (500, no answer, a closed connection, a name that does
 * not resolve) are retried with backoff until a 2xx, then never again; past the retry window
 * a webhook is dropped with a warning and counted; the queue is capped. Sockets keep getting
 * their messages meanwhile.
 */
const servers = useTestServers();
let receiver: WebhookReceiver;
let warnings: string[];
beforeEach(async () => {
  receiver = await WebhookReceiver.start();
  warnings = [];
});
afterEach(() => receiver.close());

const DEADLINE = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(url: string, webhooks: StartBroadcastServerOptions['webhooks'] = {}) {
  return servers.start({
    apps: [{ ...HTTP_APP, webhooks: [{ url, eventTypes: ['channel_occupied'] }] }],
    webhooks,
    logger: recordingLogger(warnings),
    metrics: { port: 0 },
  });
}

/** Makes one channel_occupied happen. */
async function occupy(channel = 'retried') {
  const client = servers.client();
  await subscribed(client, channel);
  return client;
}

async function retriedUntilDelivered(answers: Answer[], timeoutSeconds = 4) {
  receiver.answer = (n) => answers[n] ?? 200;
  await start(receiver.url(), { timeoutSeconds });
  await occupy();
  await waitFor(() => receiver.delivered().length === 1, DEADLINE, 'the delivery');
  // Long enough for two more backoff steps: nothing may come after the 2xx.
  await sleep(3_500);
  expect(receiver.received).toHaveLength(answers.length + 1);
  // Every attempt is the same request: same bytes, same signature.
  expect(new Set(receiver.received.map((r) => r.rawBody)).size).toBe(1);
  expect(new Set(receiver.received.map((r) => r.headers['x-pusher-signature'])).size).toBe(1);
  expect(receiver.received.every((r) => WebhookReceiver.validWith(HTTP_APP, r))).toBe(true);
}

describe('webhook retries', () => {
  it('retries after 500s and stops at the first 2xx', async () => {
    await retriedUntilDelivered([500, 503]);
    const metrics = await scrape(servers.server.metricsUrl!);
    expect(metrics.value('broadcasting_webhooks_sent_total', { app_id: HTTP_APP.id })).toBe(1);
    expect(metrics.value('broadcasting_webhooks_failed_total', { app_id: HTTP_APP.id })).toBe(0);
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    await retriedUntilDelivered(['hang'], 1);
  });

  it('retries a receiver that closes the connection', async () => {
    await retriedUntilDelivered(['close']);
  });

  it('takes a 2xx with a huge body as delivered without keeping the body', async () => {
    await retriedUntilDelivered([]);
    receiver.answer = () => 'huge';
    await occupy('huge');
    await waitFor(() => receiver.received.length === 2, DEADLINE, 'the second webhook');
    await sleep(2_000);
    expect(receiver.received).toHaveLength(2);
  });

  it('drops a webhook after its retry window with a warning and a counter', async () => {
    receiver.answer = () => 500;
    await start(receiver.url(), { retryWindowSeconds: 2 });
    await occupy();
    await waitFor(() => warnings.length > 0, DEADLINE, 'the drop warning');
    const attempts = receiver.received.length;
    expect(warnings).toEqual([
      `Webhook to ${receiver.url()} (app ${HTTP_APP.id}) dropped after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
        'over the 2 s retry window; last failure: HTTP 500. ' +
        'Check that the receiver answers 2xx within the timeout (server.webhooks.timeoutSeconds).',
    ]);
    const metrics = await scrape(servers.server.metricsUrl!);
    expect(metrics.value('broadcasting_webhooks_failed_total', { app_id: HTTP_APP.id })).toBe(1);
    await sleep(2_500);
    expect(receiver.received).toHaveLength(attempts);
  });

  it('drops a webhook to a name that does not resolve, naming the failure', async () => {
    await start('http://webhooks.does-not-resolve.invalid/hooks', { retryWindowSeconds: 1 });
    await occupy();
    await waitFor(() => warnings.length > 0, DEADLINE, 'the drop warning');
    expect(warnings[0]).toMatch(
      /^Webhook to http:\/\/webhooks\.does-not-resolve\.invalid\/hooks \(app http-app\) dropped after \d+ attempts? over the 1 s retry window; last failure: (ENOTFOUND|EAI_AGAIN)\. /,
    );
  });

  it('caps the queue of a receiver that hangs, counting what overflows, and keeps fan-out going', async () => {
    receiver.answer = () => 'hang';
    const app = { ...HTTP_APP, webhooks: [{ url: receiver.url() }] };
    await servers.start({
      apps: [app],
      webhooks: { maxPendingPerApp: 2, timeoutSeconds: 30 },
      logger: recordingLogger(warnings),
      metrics: { port: 0 },
    });
    const client = servers.client();
    const got = record(await subscribed(client, 'live'), 'tick');
    // Batches leave 250 ms apart: four occupied events in four windows make four webhooks.
    for (let i = 0; i < 4; i++) {
      await subscribed(client, `busy-${i}`);
      await sleep(400);
    }
    await waitFor(() => warnings.length > 0, DEADLINE, 'the overflow warning');
    expect(warnings).toEqual([
      `Webhooks of app ${HTTP_APP.id} dropped: 2 are already waiting to be sent or retried ` +
        '(server.webhooks.maxPendingPerApp). The receiver is down or too slow; new events are ' +
        'counted in broadcasting_webhooks_overflow_total until the queue drains.',
    ]);
    const labels = { app_id: HTTP_APP.id };
    const metrics = await scrapeUntil(
      servers.server.metricsUrl!,
      (m) => m.value('broadcasting_webhooks_pending', labels) === 2,
      'two webhooks pending',
      DEADLINE,
    );
    expect(metrics.value('broadcasting_webhooks_overflow_total', labels)).toBeGreaterThan(0);
    // The hanging receiver costs the sockets nothing.
    await serverSdk(servers.server).trigger('live', 'tick', { n: 1 });
    await waitFor(() => got.length === 1, DEADLINE, 'the broadcast');
  });
});
