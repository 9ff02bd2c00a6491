import type { HttpApiApp, HttpApiEngine } from '../../engine/engine-surface.js';
import { channelsInfo } from '../channel-attributes.js';
import { badRequest } from '../http-api-error.js';
import { HttpApiMessages } from '../http-api-messages.js';
import { parseJsonObject, parseTriggerRequest } from '../trigger-request.js';

/**
 * `POST /apps/{id}/batch_events`: publishes up to `limits.maxBatchSize` events, in order.
 * Answers `{}`, or per event the attributes of its first channel when any event asked.
 */
export async function handleBatchEvents(
  engine: HttpApiEngine,
  app: HttpApiApp,
  body: Buffer,
): Promise<object> {
  const batch = parseJsonObject(body).batch;
  if (!Array.isArray(batch) || batch.length === 0) throw badRequest(HttpApiMessages.batchMissing());
  if (batch.length > app.limits.maxBatchSize)
    throw badRequest(HttpApiMessages.batchTooLarge(batch.length, app.limits.maxBatchSize));
  // Validate every entry before publishing any, so a bad batch publishes nothing.
  const events = batch.map((e, i) => parseTriggerRequest(e, app, `batch[${i}]: `));
  for (const event of events)
    engine.publish(app.id, event.channels, event.name, event.data, event.socketId);
  if (events.every((e) => e.info.length === 0)) return {};
  return {
    batch: await Promise.all(
      events.map(async (e) => {
        const info = await channelsInfo(engine, app.id, e.channels, e.info);
        return info[e.channels[0]] ?? {};
      }),
    ),
  };
}
