import { andList } from '../../config/config-messages.js';
/**
 * Every message of the server options' validation, in one place so wording stays
 * consistent. Each names the option to fix; none may quote an app secret, so the secret's
 * own messages never show the value given.
 */
export const ServerOptionsMessages = {
  noApps: () => 'Server option "apps" is empty: give at least one app.',
  /** Names every missing credential at once, so one restart is enough to fix them. */
  missingAppCredentials: (missing: readonly ('id' | 'key' | 'secret')[]) =>
    `The broadcast server has no app ${andList(missing)}: set ` +
    `${andList(missing.map((field) => `BROADCASTING_APP_${field.toUpperCase()}`))} ` +
    `or pass apps: [{ id, key, secret }] to the server options.`,
  appFieldNotString: (path: string, field: 'id' | 'key' | 'secret', value: unknown) =>
    `Server app ${path}.${field} must be a non-empty string` +
    (field === 'secret' ? '.' : ` (got ${JSON.stringify(value)}).`),
  appIdOrKeyNotUrlSafe: (path: string) =>
    `Server app ${path}: id and key must not contain "/", "?", "#" or spaces, since they appear in URLs.`,
  badAllowedOrigins: (path: string) =>
    `Server app ${path}.allowedOrigins must be an array of origins like "https://app.example.com" or "*".`,
  notAnIntegerInRange: (key: string, min: number, max: number, value: unknown) =>
    `Server option "${key}" must be an integer from ${min} to ${max} (got ${JSON.stringify(value)}).`,
  duplicateApp: (field: 'id' | 'key', value: string) =>
    `Two server apps share the ${field} "${value}": each app needs its own ${field}.`,
} satisfies Record<string, (...args: any[]) => string>;
