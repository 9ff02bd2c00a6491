import { BroadcastMessages } from '../core/broadcast-messages.js';
import { BroadcastDriverError } from '../errors/broadcast.exception.js';

const cache = new Map<string, Promise<unknown>>();

/** True when an import failed because `name` itself is not installed (not one of its imports). */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: string })?.code;
  const message = String((error as Error)?.message ?? '');
  return (
    (code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'MODULE_NOT_FOUND' ||
      /Cannot find (module|package)|Failed to load url/.test(message)) &&
    message.includes(name)
  );
}

/**
 * Imports an optional peer dependency on first use. When it is not installed the error
 * names the package and the command that installs it.
 */
export function loadOptionalPackage<T>(name: string, neededBy: string): Promise<T> {
  let pending = cache.get(name) as Promise<T> | undefined;
  if (!pending) {
    pending = (import(/* @vite-ignore */ name) as Promise<T>).catch((error: unknown) => {
      cache.delete(name);
      if (isMissing(error, name)) {
        throw new BroadcastDriverError(BroadcastMessages.missingPackage(name, neededBy), {
          cause: error,
        });
      }
      throw error;
    });
    cache.set(name, pending);
  }
  return pending;
}
