/**
 * Messages of the contract entry. It runs in browsers too, so it throws plain `Error`s
 * (no Nest, no server error classes) whose text says what to fix.
 */
const KINDS = 'public, private, presence or encrypted';

export const ContractMessages = {
  unknownKind: (kind: unknown) =>
    `defineChannel(): the kind must be ${KINDS} (got ${JSON.stringify(kind)}).`,

  badPattern: (pattern: unknown, reason: string) =>
    `defineChannel(): ${JSON.stringify(pattern)} is not a channel pattern: ${reason}`,

  prefixedPattern: (pattern: string, prefix: string) =>
    `defineChannel(): leave the "${prefix}" prefix out of "${pattern}"; the kind adds it ` +
    `(write "${pattern.slice(prefix.length)}").`,

  badEventName: (name: unknown) =>
    `event(): the event name must be a non-empty string of at most 200 characters (got ${JSON.stringify(name)}).`,

  clientEventName: (name: string) =>
    `event(): "${name}" starts with "client-", which marks whispers; use channel.whisper("${name.slice(7)}", ...) instead.`,

  whisperOnPublic: (pattern: string) =>
    `whisper(): "${pattern}" is a public channel, and the Pusher protocol allows whispers on private and presence channels only.`,

  badSpec: (what: string) =>
    `${what}: pass a Standard Schema (zod, valibot, arktype) or typed<T>() as the payload.`,

  missingParam: (pattern: string, param: string, params: unknown) =>
    `Channel "${pattern}" needs the parameter "${param}" (got ${describe(params)}).`,

  badParamValue: (pattern: string, param: string, value: unknown) =>
    `Channel "${pattern}": the parameter "${param}" must be a non-empty string or a number without dots ` +
    `(got ${JSON.stringify(value)}).`,
};

function describe(params: unknown): string {
  if (params === undefined || params === null) return String(params);
  if (typeof params !== 'object') return typeof params;
  const keys = Object.keys(params);
  return keys.length === 0 ? 'no parameters' : `parameters ${keys.join(', ')}`;
}
