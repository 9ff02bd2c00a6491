import { loadOptionalPackage } from '../../shared/optional-package.js';
import { MetricsMessages } from './metrics-messages.js';

/** prom-client's API as this package uses it (types only: nothing is loaded by this import). */
export type PromClient = typeof import('prom-client');

/**
 * Loads `prom-client`, an optional peer dependency, when metrics are turned on; rejects
 * with an error naming the package and `npm install prom-client` when it is missing.
 */
export async function loadPromClient(): Promise<PromClient> {
  const loaded = await loadOptionalPackage<PromClient & { default?: PromClient }>(
    'prom-client',
    MetricsMessages.neededBy(),
  );
  // prom-client is CommonJS: its API is the default export, plus the names Node detects.
  return loaded.default ?? loaded;
}
