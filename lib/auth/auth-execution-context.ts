import type { ExecutionContext, Type } from '@nestjs/common';
import { AuthMessages } from './auth-messages.js';

/**
 * The `ExecutionContext` guards see on the auth endpoints: an HTTP context whose request
 * and response are the platform's own (Express or Fastify), as in a controller.
 */
export function authExecutionContext(
  request: unknown,
  response: unknown,
  owner: Type<unknown>,
  handler: (...args: any[]) => unknown,
): ExecutionContext {
  const args = [request, response, undefined];
  const http = { getRequest: () => request, getResponse: () => response, getNext: () => undefined };
  const unsupported = (type: string) => () => {
    throw new Error(AuthMessages.notHttp(type));
  };
  return {
    getClass: () => owner,
    getHandler: () => handler,
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    switchToHttp: () => http,
    switchToRpc: unsupported('RPC'),
    switchToWs: unsupported('WebSocket'),
    getType: () => 'http',
  } as unknown as ExecutionContext;
}
