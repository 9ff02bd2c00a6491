/**
 * Every message of the channel authorization area, in one place so wording stays
 * consistent and reviewers can check that none of them can carry the app secret.
 */
export const AuthMessages = {
  missingFields: (fields: string[]) =>
    `Missing ${fields.join(' and ')} in the request body. pusher-js and laravel-echo send them ` +
    `form-encoded; send them form-encoded or as JSON.`,
  invalidSocketId: (socketId: string) =>
    `"${socketId.slice(0, 70)}" is not a socket id: they look like "1234.5678".`,
  invalidChannel: (problem: string) => `Invalid channel_name: ${problem}.`,
  notAuthorizable: (channel: string) =>
    `"${channel}" needs no authorization: only private-, private-encrypted- and presence- channels are authorized.`,
  unauthenticated: () =>
    'No user for this request. Put the endpoint behind your auth guard (auth.guards) or ' +
    'return the user from auth.resolveUser(req).',
  guardRefused: () => 'A guard in auth.guards refused the request.',
  // Denials: the first text goes to the client and names the channel only; the `...Detail`
  // text goes to the server log, with the app's class and method and what to do.
  noMatchingPattern: (channel: string) => `No channel authorization rule matches "${channel}".`,
  noMatchingPatternDetail: (channel: string, patterns: readonly string[]) =>
    `No @ChannelAuth pattern matches "${channel}"` +
    (patterns.length
      ? ` (registered: ${patterns.slice(0, 10).join(', ')})`
      : ' (none registered)') +
    `. Add a @ChannelAuth method whose pattern matches the name without its private-/presence- prefix.`,
  callbackDenied: (channel: string) => `Not allowed to join "${channel}".`,
  callbackDeniedDetail: (channel: string, method: string) =>
    `${method} refused "${channel}" (it returned a falsy value).`,
  callbackError: (channel: string) =>
    `Authorizing "${channel}" failed on the server, so it was denied.`,
  memberRejectedByContract: (
    method: string,
    problems: Array<{ path: string | undefined; message: string }>,
  ) =>
    `${method} returned a presence member its channel contract refuses: ` +
    problems
      .map(({ path, message }) => (path ? `field "${path}": ${message}` : message))
      .join('; ') +
    ". Return what the contract's member schema describes.",
  callbackErrorLog: (channel: string, method: string) =>
    `${method} threw while authorizing "${channel}"; the request was denied.`,
  denied: (reason: string, detail: string) => `Denied (${reason}): ${detail}`,
  forbidden: 'Forbidden',
  badRequest: 'Bad Request',
  internalError: 'Internal Server Error',
  missingCredentials: () =>
    'Channel authorization needs the app credentials to sign responses: set BROADCASTING_APP_KEY ' +
    'and BROADCASTING_APP_SECRET (or the app.key / app.secret options).',
  missingMasterKey: (channel: string) =>
    `"${channel}" is an encrypted channel: set BROADCASTING_ENCRYPTION_MASTER_KEY ` +
    `(32 random bytes, base64: \`openssl rand -base64 32\`) to authorize it.`,
  badMasterKey: (source: string, problem: string) =>
    `BROADCASTING_ENCRYPTION_MASTER_KEY (from ${source}) ${problem}. Generate one with ` +
    `\`openssl rand -base64 32\`.`,
  badPresenceUserId: (value: unknown) =>
    `presenceUserId(user) returned ${describe(value)}; presence channels need a string or number ` +
    `user id. Set auth.presenceUserId in BroadcastModule.forRoot({ auth }).`,
  badPresenceInfo: (channel: string) =>
    `Could not authorize "${channel}": the server's authorization returned no member info ` +
    `(see the server log).`,
  badPresenceInfoLog: (channel: string, method: string) =>
    `${method} returned a value that is not a JSON object for the presence channel ` +
    `"${channel}"; return true or an object with the member's public info (user_info).`,
  badUserData: (value: unknown) =>
    `resolveUserData(user) must return an object with a non-empty string "id" (got ${describe(value)}). ` +
    `Set auth.resolveUserData in BroadcastModule.forRoot({ auth }).`,
  userAuthFailed: 'Could not authenticate the user; see the server log.',
  invalidPattern: (pattern: string, method: string, problem: string) =>
    `@ChannelAuth('${pattern}') on ${method}: ${problem}.`,
  duplicatePattern: (pattern: string, first: string, second: string) =>
    `@ChannelAuth('${pattern}') is registered twice: on ${first} and on ${second}. ` +
    `Each pattern may have one callback; remove one or make the patterns differ.`,
  requestScopedHost: (method: string) =>
    `@ChannelAuth on ${method} is ignored: its class is request-scoped (or depends on a ` +
    `request-scoped provider). Move the callback to a singleton provider.`,
  unresolvableGuard: (name: string) =>
    `auth.guards: cannot create ${name}. Register it as a provider in a module (or pass an ` +
    `instance) so its dependencies can be injected.`,
  notHttp: (type: string) =>
    `The broadcasting auth endpoints are HTTP routes, not ${type} handlers.`,
  unsupportedAdapter: () =>
    'Channel authorization endpoints need an HTTP adapter (Express or Fastify); none was found, ' +
    'so they are not mounted.',
} satisfies Record<string, string | ((...args: any[]) => string)>;

/** What is wrong with a `@ChannelAuth` pattern (completed by `AuthMessages.invalidPattern`). */
export const PatternProblems = {
  notAString: 'the pattern must be a non-empty string',
  hasPrefix: (prefix: string, rest: string) =>
    `omit the "${prefix}" prefix: patterns match the channel name without it, so ` +
    `'${rest}' covers private-, private-encrypted- and presence- channels`,
  badParamName: (name: string) => `"{${name}}" is not a parameter: names are letters, digits and _`,
  repeatedParam: (name: string) => `the parameter {${name}} appears twice`,
  unbalanced: 'it has an unbalanced { or }',
  badCharacters: (text: string) =>
    `"${text}" has characters channel names cannot contain (allowed: A-Z a-z 0-9 _ - = @ , . ; and {param})`,
};

/** What is wrong with an encryption master key (never quoting the key). */
export const MasterKeyProblems = {
  notBase64: 'is not valid base64',
  wrongLength: (bytes: number) => `decodes to ${bytes} bytes; it must be 32`,
};

/** Generic, reason-free texts used when denial reasons are hidden (production). */
export const HiddenDenial: Record<400 | 403, string> = {
  400: AuthMessages.badRequest,
  403: AuthMessages.forbidden,
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `a ${typeof value}`;
}
