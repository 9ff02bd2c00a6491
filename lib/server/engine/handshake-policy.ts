import type { IncomingMessage } from 'node:http';
import type { ResolvedAppOptions } from '../options/resolved-server-options.interface.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { AppRegistry } from './app-registry.js';
import { EngineMessages } from './engine-messages.js';

/** Why a WebSocket on `/app/{key}` is turned away: the close code and its message. */
export interface RefusedHandshake {
  refused: string;
  code: CloseCode;
}

/**
 * Pusher's checks on a new connection, in Pusher's order: the app key, the app enabled,
 * the protocol version (pusher-js sends 7; 5 and up speak the same frames), the origin.
 */
export function checkHandshake(
  apps: AppRegistry,
  key: string,
  req: Pick<IncomingMessage, 'url' | 'headers'>,
): ResolvedAppOptions | RefusedHandshake {
  const app = apps.byKey(key);
  if (!app) return refuse(CloseCode.APP_NOT_FOUND, EngineMessages.unknownAppKey(key));
  if (!app.enabled) return refuse(CloseCode.APP_DISABLED, EngineMessages.appDisabled());
  const protocol = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('protocol') ?? 7);
  if (!(protocol >= 5))
    return refuse(CloseCode.UNSUPPORTED_PROTOCOL, EngineMessages.unsupportedProtocol());
  if (!app.anyOrigin) {
    const origin = req.headers.origin;
    if (!origin || !app.allowedOrigins.includes(origin))
      return refuse(CloseCode.UNAUTHORIZED, EngineMessages.originNotAllowed(origin));
  }
  return app;
}

function refuse(code: CloseCode, refused: string): RefusedHandshake {
  return { refused, code };
}
