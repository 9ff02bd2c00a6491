/** Messages of the webhook receiver (BroadcastWebhookModule), in one place. */
export const WebhookReceiverMessages = {
  unknownKey: 'Unknown X-Pusher-Key: no app with this key is configured for webhooks.',
  badSignature: 'Invalid X-Pusher-Signature: it does not sign this body with the app secret.',
  notJson: 'The webhook body is not a Pusher webhook (JSON with "time_ms" and "events").',

  noRawBody: () =>
    'BroadcastWebhookModule needs the raw request body to check X-Pusher-Signature: create ' +
    'the app with NestFactory.create(AppModule, { rawBody: true }) (Express and Fastify alike).',

  noEmitter: () =>
    'BroadcastWebhookModule emits the webhook events on EventEmitter2: import ' +
    'EventEmitterModule.forRoot() from @nestjs/event-emitter (npm install @nestjs/event-emitter).',

  noApps: () =>
    'BroadcastWebhookModule has no app to check signatures with: pass apps: [{ key, secret }] ' +
    'to BroadcastWebhookModule.forRoot(), or set BROADCASTING_APP_KEY and BROADCASTING_APP_SECRET ' +
    '(or "app.key" / "app.secret" in the config file).',

  listenerFailed: (name: string, error: unknown) =>
    `A listener of broadcasting.${name} threw: ${(error as Error)?.message ?? String(error)}`,

  badPath: (path: unknown) =>
    `BroadcastWebhookModule path "${String(path)}" must be a route path starting with "/".`,
};
