import { methodNotAllowed } from '../http-api-error.js';
import { HttpApiMessages } from '../http-api-messages.js';

/**
 * `GET /up`: the health check. Always 200 while the process serves: a degraded node (say,
 * cut off from the other nodes) still serves its own subscribers, and `health` says how.
 */
export function handleUp(method: string, health: () => { status: string }): { status: string } {
  if (method !== 'GET' && method !== 'HEAD')
    throw methodNotAllowed('GET, HEAD', HttpApiMessages.useGetForUp());
  return health();
}
