import { BroadcastConfigError, type ConfigSource } from '../errors/broadcast.exception.js';
import { ConfigMessages } from './config-messages.js';
import { configKey, type ConfigKey } from './config-keys.js';
import { parseConfigValue } from './config-values.js';

/**
 * What one key of a configuration object may hold. A declarative table of these (a
 * {@link ConfigSchema}) is the one description of a section: the config file is checked
 * against it, and so are the options code passes, so both fail the same way on the same
 * mistake.
 */
export type ConfigRule =
  /** A key of the cascade's table (config-keys.ts): parsed as that key, env forms included. */
  | { kind: 'keyed'; key: string }
  /** A value of one of the table's kinds without a variable of its own (`metrics.path`). */
  | { kind: 'typed'; as: ConfigKey['kind']; secret?: boolean }
  | { kind: 'string'; nonEmpty?: boolean; secret?: boolean }
  | { kind: 'integer'; min: number; max?: number; default?: number }
  | { kind: 'boolean'; default?: boolean }
  /** An array of strings; with `oneOf`, each must be one of those (a typo gets a guess). */
  | { kind: 'strings'; oneOf?: readonly string[] }
  /** An object of string values (HTTP `headers`). */
  | { kind: 'string-map' }
  /** A nested object; `or` lists the booleans accepted instead (`redis: true`, `metrics: false`). */
  | { kind: 'object'; fields: ConfigSchema; or?: readonly boolean[] }
  /** An array of objects of one shape (`apps`). */
  | { kind: 'list'; of: ConfigSchema; nonEmpty?: boolean }
  /** Anything, checked elsewhere (named connections, whose keys depend on their driver). */
  | { kind: 'any' }
  /** Only code can give it (a function, an instance); a file that sets it is told so. */
  | { kind: 'code-only'; hint: string };

export type ConfigSchema = Readonly<Record<string, ConfigRule>>;

/** Where the values being checked come from, for the error: `config file /x.json`, `server options`. */
export interface ConfigOrigin {
  source: ConfigSource;
  where: string;
}

/**
 * Checks `value` against `schema` and returns a copy with every keyed value parsed (ports
 * as numbers, levels lower-cased). Unknown keys are errors that name the full path
 * (`server.apps[1].allowedOrigin`), the origin and the nearest known key. Secrets are never
 * shown. Keys left undefined stay out of the copy, so they fall through the cascade.
 */
export function parseConfigObject(
  value: unknown,
  schema: ConfigSchema,
  path: string,
  origin: ConfigOrigin,
): Record<string, unknown> {
  if (!isPlainObject(value)) invalid(path, value, origin, ConfigMessages.problems.object);
  const known = Object.keys(schema);
  const parsed: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${name}` : name;
    const rule = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (!rule)
      throw new BroadcastConfigError(
        ConfigMessages.unknownKey(itemPath, origin.where, known, nearest(name, known)),
        itemPath,
        origin.source,
      );
    if (item === undefined) continue;
    const result = parseRule(item, rule, itemPath, origin);
    if (result !== undefined) parsed[name] = result;
  }
  return parsed;
}

function parseRule(value: unknown, rule: ConfigRule, path: string, origin: ConfigOrigin): unknown {
  const { problems } = ConfigMessages;
  switch (rule.kind) {
    case 'keyed': {
      // Named by its path where it sits (`server.apps[0]...` never is keyed), so the error
      // says the same key whether the value came from a file, an option or the env.
      const key = configKey(rule.key);
      return parseConfigValue({ ...key, path }, value, origin.source, whereOf(path, origin));
    }
    case 'typed': {
      const key = { path, env: '', kind: rule.as, secret: rule.secret };
      return parseConfigValue(key, value, origin.source, whereOf(path, origin));
    }
    case 'string':
      if (typeof value !== 'string' || (rule.nonEmpty && value === ''))
        invalid(path, value, origin, problems.nonEmptyString, rule.secret);
      return value;
    case 'integer':
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < rule.min ||
        (rule.max !== undefined && value > rule.max)
      )
        invalid(path, value, origin, problems.integer(rule.min, rule.max));
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') invalid(path, value, origin, problems.boolean);
      return value;
    case 'strings':
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
        invalid(path, value, origin, problems.strings);
      if (rule.oneOf)
        value.forEach((item: string, i) => {
          if (!rule.oneOf!.includes(item))
            invalid(
              `${path}[${i}]`,
              item,
              origin,
              problems.oneOf(rule.oneOf!) + didYouMean(nearest(item, rule.oneOf!)),
            );
        });
      return [...value];
    case 'string-map':
      if (!isPlainObject(value) || Object.values(value).some((item) => typeof item !== 'string'))
        invalid(path, value, origin, problems.stringMap);
      return { ...value };
    case 'object':
      if (typeof value === 'boolean' && rule.or?.includes(value)) return value;
      if (!isPlainObject(value))
        invalid(path, value, origin, rule.or ? problems.objectOr(rule.or) : problems.object);
      return parseConfigObject(value, rule.fields, path, origin);
    case 'list':
      if (!Array.isArray(value)) invalid(path, value, origin, problems.list);
      if (rule.nonEmpty && value.length === 0) invalid(path, value, origin, problems.emptyList);
      return value.map((item, i) => parseConfigObject(item, rule.of, `${path}[${i}]`, origin));
    case 'any':
      return value;
    case 'code-only':
      if (origin.source === 'option') return value;
      throw new BroadcastConfigError(
        ConfigMessages.codeOnlyKey(path, origin.where, rule.hint),
        path,
        origin.source,
      );
  }
}

function invalid(
  path: string,
  value: unknown,
  origin: ConfigOrigin,
  problem: string,
  secret = false,
): never {
  throw new BroadcastConfigError(
    ConfigMessages.invalidValue(
      path,
      secret ? '****' : shown(value),
      whereOf(path, origin),
      problem,
    ),
    path,
    origin.source,
  );
}

function didYouMean(guess: string | undefined): string {
  return guess ? ` Did you mean "${guess}"?` : '';
}

/** `config file /x.json "server.port"`, as the cascade's own errors say where. */
function whereOf(path: string, origin: ConfigOrigin): string {
  return `${origin.where} "${path}"`;
}

/** A value as an error may show it: short, and structures by their kind only. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return '(an array)';
  if (value !== null && typeof value === 'object') return '(an object)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The known key a typo most likely meant: the same letters ignoring case, or a few edits
 * away (a swap of two neighbours counting as one), at most a third of the key's length.
 */
function nearest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(lower, key.toLowerCase());
    const allowed = Math.min(2, Math.max(1, Math.floor(key.length / 3)));
    if (distance <= allowed && (!best || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  return rows[a.length][b.length];
}

/** The keys of a schema that have a default, typed as their values. */
export type SchemaDefaults<S extends ConfigSchema> = {
  [K in keyof S as S[K] extends { default: unknown } ? K : never]: S[K] extends {
    kind: 'integer';
  }
    ? number
    : boolean;
};

/** Every `default` of a schema's rules, by key: the one place those defaults are written. */
export function defaultsOf<S extends ConfigSchema>(schema: S): SchemaDefaults<S> {
  const defaults: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(schema))
    if ('default' in rule && rule.default !== undefined) defaults[name] = rule.default;
  return defaults as SchemaDefaults<S>;
}
