import type { HttpApiApp, HttpApiEngine } from '../../engine/engine-surface.js';
import { channelsInfo } from '../channel-attributes.js';
import { parseJsonObject, parseTriggerRequest } from '../trigger-request.js';

/**
 * `POST /apps/{id}/events`: publishes one event, then answers `{}`, or the channels'
 * attributes when the event asked for them in `info`.
 */
export async function handleEvents(
  engine: HttpApiEngine,
  app: HttpApiApp,
  body: Buffer,
): Promise<object> {
  const event = parseTriggerRequest(parseJsonObject(body), app);
  engine.publish(app.id, event.channels, event.name, event.data, event.socketId);
  if (event.info.length === 0) return {};
  return { channels: await channelsInfo(engine, app.id, event.channels, event.info) };
}
