/**
 * Messages of BroadcastConfigError, in one place. Values reach here already masked
 * (see maskConfigValue); the rest are key names, file paths and sources.
 */
export const ConfigMessages = {
  invalidValue: (path: string, shownValue: string, where: string, problem: string) =>
    `Invalid broadcasting config ${path} = "${shownValue}" (from ${where}): ${problem}`,

  problems: {
    string: 'must be a string.',
    port: 'must be a port number between 0 and 65535.',
    url: 'must be a URL like redis://127.0.0.1:6379 or rediss://user:password@host:6380/0.',
    scheme: 'must be "http" or "https".',
    path: 'must be a route path starting with "/".',
    host: 'must be a host name or IP without scheme or path (set the scheme and port keys separately).',
    scaling: 'must be "redis" (or "off").',
    base64Key: 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).',
    workers: (max: number, cores: number) =>
      `must be a whole number of worker processes from 1 to ${max}, or "auto" (one per core: ${cores} here).`,
    seconds: (max: number) => `must be a whole number of seconds from 0 to ${max}.`,
    file: 'must be the path of a file (PEM), not empty.',
    oneOf: (allowed: readonly string[]) =>
      `must be one of ${orList(allowed.map((a) => `"${a}"`))}.`,
    boolean: 'must be true or false.',
    queueName: 'must be a non-empty name without ":" (BullMQ joins its keys with ":").',
    redisNodes:
      'must name the Redis Cluster nodes to start from as host:port (or redis://host:port): ' +
      'a non-empty array in options and files, comma-separated in BROADCASTING_REDIS_CLUSTER and serve --redis-cluster ' +
      '(e.g. 10.0.0.1:7000,10.0.0.2:7000).',
    integer: (min: number, max?: number) =>
      max === undefined
        ? `must be a whole number of at least ${min}.`
        : `must be a whole number from ${min} to ${max}.`,
    nonEmptyString: 'must be a non-empty string.',
    strings: 'must be an array of strings.',
    stringMap: 'must be an object whose values are strings (header name: value).',
    httpUrl:
      'must be an http:// or https:// URL with a host, e.g. https://example.com/pusher/webhooks.',
    object: 'must be an object.',
    objectOr: (alternatives: readonly boolean[]) =>
      `must be an object or ${orList(alternatives.map(String))}.`,
    list: 'must be an array of objects.',
    emptyList: 'must hold at least one entry.',
    unknownDefault: (known: string[]) =>
      `unknown driver or connection. Use one of: ${known.join(', ')} (or add it under "connections").`,
  },

  connectionWithoutDriver: (name: string, builtins: readonly string[]) =>
    `Invalid broadcasting config connections.${name}: each connection needs a "driver" (${builtins.join(', ')} or a custom driver).`,

  /** Every credential the connection lacks, in one message: one restart finds them all. */
  missingPusherCredentials: (
    missing: ReadonlyArray<{ path: string; envName: string; own: string }>,
    connection: string,
  ) =>
    `Invalid broadcasting config ${missing.map((m) => m.path).join(', ')} = (unset): ` +
    `the pusher driver of connection "${connection}" needs ${missing.length > 1 ? 'them' : 'it'}. ` +
    `Set ${andList(missing.map((m) => m.envName))}, ` +
    `${andList(missing.map((m) => `"${m.path}"`))} in the config file or the module options` +
    (connection === 'pusher'
      ? '.'
      : `, or ${andList(missing.map((m) => `"${m.own}"`))} on connections.${connection}.`),

  /** A key the config file may not hold: a typo, or a value only code can give. */
  unknownKey: (path: string, where: string, known: readonly string[], guess?: string) =>
    `Unknown broadcasting config key ${path} (in ${where}).` +
    (guess ? ` Did you mean "${guess}"?` : '') +
    ` Keys allowed there: ${known.join(', ')}.`,

  codeOnlyKey: (path: string, where: string, hint: string) =>
    `Broadcasting config key ${path} cannot be set in ${where}: ${hint}`,

  configFileMissing: (envName: string, named: string, resolved: string) =>
    `${envName} points at "${named}", which does not exist (resolved to ${resolved}). Fix the path or unset ${envName}.`,

  configFileUnreadable: (path: string, error: unknown) =>
    `Could not read the broadcasting config file ${path}: ${(error as Error)?.message ?? String(error)}`,

  /** Where the JSON breaks, never its text: the file holds secrets. */
  configFileNotJson: (path: string, at: { line: number; column: number } | undefined) =>
    `The broadcasting config file ${path} is not valid JSON` +
    (at ? ` (syntax error at line ${at.line}, column ${at.column}).` : '.') +
    ' Fix the syntax there; the file content is not shown because it may hold secrets.',

  configFileNotObject: (path: string, values: unknown) =>
    `The broadcasting config file ${path} must export an object (got ${Array.isArray(values) ? 'an array' : typeof values}).`,
};

/** `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function andList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
