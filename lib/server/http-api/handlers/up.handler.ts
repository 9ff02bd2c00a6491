import { methodNotAllowed } from '../http-api-error.js';
import { HttpApiMessages } from '../http-api-messages.js';

/**
 * `GET /up`: the health check. 200 while the process serves, also when degraded (a node
 * cut off from the others still serves its own subscribers, and `health` says how); the
 * router answers 503 once the server is stopping.
 */
export function handleUp(method: string, health: () => { status: string }): { status: string } {
  if (method !== 'GET' && method !== 'HEAD')
    throw methodNotAllowed('GET, HEAD', HttpApiMessages.useGetForUp());
  return health();
}
