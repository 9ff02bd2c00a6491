import type { HttpApiApp, HttpApiEngine } from '../../engine/engine-surface.js';

/** `POST /apps/{id}/users/{userId}/terminate_connections`: closes every socket of the user. */
export async function handleTerminateConnections(
  engine: HttpApiEngine,
  app: HttpApiApp,
  userId: string,
): Promise<object> {
  await engine.terminateUserConnections(app.id, userId);
  return {};
}
