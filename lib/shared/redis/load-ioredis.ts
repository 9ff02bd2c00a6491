import { BroadcastDriverError } from '../../errors/broadcast.exception.js';
import { loadOptionalPackage } from '../optional-package.js';

/** ioredis's `Redis` class as this package constructs it; callers narrow the instance type. */
export type IoredisConstructor = new (url: string, options?: Record<string, unknown>) => unknown;

type IoredisModule = {
  Redis?: unknown;
  default?: { Redis?: unknown } | unknown;
};

/**
 * The `Redis` class of a loaded ioredis module: the named export when present, else
 * `.default.Redis` or `.default`, the CommonJS interop shapes a bundler or an older ioredis
 * gives.
 */
export function pickRedisClass(module: IoredisModule, neededBy: string): IoredisConstructor {
  const fallback = module.default as { Redis?: unknown } | undefined;
  const Redis = module.Redis ?? fallback?.Redis ?? fallback;
  if (typeof Redis !== 'function') {
    throw new BroadcastDriverError(
      `The installed "ioredis" exports no Redis class (needed by ${neededBy}); install ioredis 5 or later.`,
    );
  }
  return Redis as IoredisConstructor;
}

/**
 * Loads `ioredis`, an optional peer dependency, on first use and returns its `Redis` class.
 * `neededBy` names the feature in the "install ioredis" error.
 */
export async function loadIoredis(neededBy: string): Promise<IoredisConstructor> {
  return pickRedisClass(await loadOptionalPackage<IoredisModule>('ioredis', neededBy), neededBy);
}
