export * from './broadcast-options.interface.js';
export {
  CONFIG_KEYS,
  CONFIG_FILE_ENV,
  CONFIG_FILE_CANDIDATES,
  type ConfigKey,
} from './config-keys.js';
export { resolveBroadcastConfig, type ResolveConfigContext } from './resolve-config.js';
export type { ResolvedBroadcastConfig } from './resolved-config.interface.js';
export { defaultBroadcastConfig } from './default-config.js';
