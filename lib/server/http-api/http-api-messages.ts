/**
 * Every message the HTTP API puts in an error body or a log line, in one place so wording
 * stays consistent and each tells the caller what to fix. None may carry the app secret:
 * callers pass ids, names and counts, and text taken from the request is clipped so a
 * hostile request cannot make the answer large.
 */
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const HttpApiMessages = {
  // Routing: the path, the method and the app.
  useGetForUp: () => 'Use GET /up.',
  unknownApp: (appId: string) => `Unknown app id "${appId.slice(0, 60)}".`,
  noEndpoint: (path: string) => `No HTTP API endpoint at ${path.slice(0, 120)}.`,
  wrongMethod: (expected: string, path: string) => `Use ${expected} for ${path.slice(0, 120)}.`,
  badPercentEncoding: () => 'The path is not valid percent-encoding.',
  invalidPathChannel: (channel: string, problem: string) =>
    `Invalid channel "${channel.slice(0, 60)}": ${problem}.`,
  badUserId: (maxLength: number) => `A user id is 1 to ${maxLength} characters.`,
  appDisabled: (appId: string) => `App "${appId}" is disabled.`,
  bodyTooLarge: (maxBytes: number) =>
    `Request body is larger than ${maxBytes} bytes; send fewer or smaller events.`,

  // Query-signature authentication.
  missingSignature: () => 'Missing auth_signature query parameter.',
  missingKey: () => 'Missing auth_key query parameter.',
  keyMismatch: () => 'auth_key does not match the app of this path.',
  badAuthVersion: (version: string) =>
    `Unsupported auth_version "${version.slice(0, 20)}"; use 1.0.`,
  missingTimestamp: () => 'Missing or non-integer auth_timestamp query parameter.',
  clockSkew: (skewSeconds: number, maxSeconds: number) =>
    `auth_timestamp is ${skewSeconds} s from the server's clock; ` +
    `at most ${maxSeconds} s is accepted. Check the client's clock.`,
  missingBodyMd5: () => 'Missing body_md5 query parameter for a request body.',
  bodyMd5Mismatch: () => 'body_md5 does not match the request body.',
  badSignature: () => 'Invalid auth_signature: check the app key and secret the client signs with.',

  // Request bodies and events. `where` names a batch entry (`batch[3]: `) or is empty.
  bodyNotJson: () => 'Request body is not valid JSON.',
  bodyNotObject: () => 'Request body must be a JSON object.',
  eventNotObject: (where: string) => `${where}an event must be a JSON object.`,
  eventNameEmpty: (where: string) => `${where}"name" must be a non-empty string.`,
  eventNameTooLong: (where: string, maxLength: number) =>
    `${where}"name" is at most ${maxLength} characters.`,
  dataNotString: (where: string) => `${where}"data" must be a string (the JSON-encoded payload).`,
  channelsMissing: (where: string) =>
    `${where}"channels" must be a non-empty array of channel names (or give "channel").`,
  channelNotString: (where: string) => `${where}every channel name must be a string.`,
  tooManyChannels: (where: string, count: number, max: number) =>
    `${where}${count} channels given; at most ${max} per event.`,
  invalidEventChannel: (where: string, channel: unknown, problem: string) =>
    `${where}invalid channel "${String(channel).slice(0, 60)}": ${problem}.`,
  dataTooLarge: (where: string, size: number, maxBytes: number) =>
    `${where}"data" is ${size} bytes; at most ${maxBytes} bytes are accepted.`,
  badSocketId: (where: string) => `${where}"socket_id" must look like "123.456".`,
  infoNotString: (where: string) => `${where}"info" must be a comma-separated string.`,
  unknownAttribute: (where: string, attribute: string, supported: readonly string[]) =>
    `${where}unknown info attribute "${attribute.slice(0, 40)}"; supported: ${supported.join(', ')}.`,
  batchMissing: () => '"batch" must be a non-empty array of events.',
  batchTooLarge: (count: number, max: number) =>
    `${count} events in the batch; at most ${max} per request.`,

  // Channel queries.
  userCountNeedsPresencePrefix: () =>
    'info=user_count needs filter_by_prefix=presence- (presence channels only).',
  userCountNeedsPresence: () => 'info=user_count is only available for presence channels.',
  usersNeedPresence: () => 'Users can only be listed for presence channels.',

  // Failures of the server itself: the caller gets no details, the log gets the cause.
  internalError: () => 'Internal server error.',
  requestFailed: (method: string | undefined, path: string, error: unknown) =>
    `Broadcast HTTP API failed on ${method} ${path}: ${reasonOf(error)}`,
} satisfies Record<string, (...args: any[]) => string>;
