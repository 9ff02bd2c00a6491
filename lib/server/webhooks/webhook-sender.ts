import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PendingWebhook } from './pending-webhook.js';
import { WebhookMessages } from './webhook-messages.js';

/** Most bytes of a receiver's answer read (and thrown away) before the connection is cut. */
const MAX_ANSWER_BYTES = 64 * 1024;

export type WebhookOutcome = { ok: true } | { ok: false; reason: string };

/**
 * One attempt: POSTs the signed body and settles with the outcome, never rejects. Only a
 * 2xx within `timeoutMs` counts as delivered; a timeout, a refused or reset connection, a
 * name that does not resolve or any other status is a failure to retry. The answer's body
 * is drained without being kept, and cut past 64 KiB, so a huge answer costs no memory.
 */
export function sendWebhook(webhook: PendingWebhook, timeoutMs: number): Promise<WebhookOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: WebhookOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      req?.destroy();
      settle({ ok: false, reason: WebhookMessages.timedOut(timeoutMs / 1000) });
    }, timeoutMs);
    let req: ReturnType<typeof httpRequest> | undefined;
    try {
      const url = new URL(webhook.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      req = send(
        url,
        {
          method: 'POST',
          headers: { ...webhook.headers, 'Content-Length': Buffer.byteLength(webhook.body) },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) res.destroy();
          });
          res.on('error', () => {});
          settle(
            status >= 200 && status < 300
              ? { ok: true }
              : { ok: false, reason: WebhookMessages.status(status) },
          );
        },
      );
      req.on('error', (error) =>
        settle({ ok: false, reason: WebhookMessages.requestFailed(error) }),
      );
      req.end(webhook.body);
    } catch (error) {
      settle({ ok: false, reason: WebhookMessages.requestFailed(error) });
    }
  });
}
