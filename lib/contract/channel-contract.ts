import { compileChannelPattern } from '../auth/channel-pattern.js';
import { ChannelPrefix } from '../shared/pusher-protocol/channel-prefixes.js';
import type { PatternName, PatternParams, ParamsArgs } from './channel-pattern-types.js';
import { ContractMessages } from './contract-messages.js';
import { isStandardSchema, typed, type PayloadSpec, type Typed } from './typed.js';
import type { EventContract, WhisperContract } from './event-contract.js';

/** The four kinds of Pusher channel. `encrypted` is `private-encrypted-`. */
export type ChannelKind = 'public' | 'private' | 'presence' | 'encrypted';

/** The full-name prefix of each kind. */
export const KIND_PREFIX = {
  public: '',
  private: ChannelPrefix.private,
  presence: ChannelPrefix.presence,
  encrypted: ChannelPrefix.encrypted,
} as const satisfies Record<ChannelKind, string>;

export type KindPrefix<K extends ChannelKind> = (typeof KIND_PREFIX)[K];

/** The full channel names of a contract, as a type: `private-orders.${string}`. */
export type ChannelFullName<
  K extends ChannelKind,
  P extends string,
> = `${KindPrefix<K>}${PatternName<P>}`;

/**
 * One channel, shared by the Nest app and the browser: its kind, its pattern (the same one
 * `@ChannelAuth` takes) and, on a presence channel, the type of what members see of each other.
 */
export interface ChannelContract<
  K extends ChannelKind = ChannelKind,
  P extends string = string,
  M = unknown,
> {
  readonly contract: 'channel';
  readonly kind: K;
  readonly pattern: P;
  /** Presence only: the member (`user_info`) type, validated when it is a schema. */
  readonly member?: PayloadSpec<unknown, M>;
  /** Never set: carries the member type `M` for the compiler. */
  readonly '~member'?: M;
  /** The full name, prefix included: `OrderChannel.name({ orderId: 7 })` → `private-orders.7`. */
  name(...params: ParamsArgs<P>): ChannelFullName<K, P>;
  /** The name without its prefix, as Echo's `private()` / `join()` take it: `orders.7`. */
  bareName(...params: ParamsArgs<P>): PatternName<P>;
  /** An event broadcast on this channel, with its name and payload. */
  event<const N extends string, S extends PayloadSpec<any, any>>(
    name: N,
    payload: S,
  ): EventContract<ChannelContract<K, P, M>, N, S>;
  /**
   * The same with the payload as a plain type parameter: `event<{ tracking: string }>('x')`.
   * TypeScript cannot infer the name beside an explicit type argument, so the name is typed
   * `string`; `event('x', typed<T>())` keeps it literal (what `EchoEvents` needs).
   */
  event<T extends object>(name: string): EventContract<ChannelContract<K, P, M>, string, Typed<T>>;
  /** A client event (whisper) between browsers on this private or presence channel. */
  whisper<const N extends string, S extends PayloadSpec<any, any>>(
    name: N,
    payload: S,
  ): WhisperContract<ChannelContract<K, P, M>, N, S>;
  /** The same with the payload as a plain type parameter (the name typed `string`). */
  whisper<T extends object>(
    name: string,
  ): WhisperContract<ChannelContract<K, P, M>, string, Typed<T>>;
}

/** Options of {@link defineChannel}. */
export interface DefineChannelOptions<M> {
  /** Presence channels: what each member's `user_info` holds (`typed<T>()` or a schema). */
  member?: PayloadSpec<unknown, M>;
}

const VALUE = /^[A-Za-z0-9_\-=@,;]+$/;

function buildName(pattern: string, paramNames: string[], params: unknown): string {
  let name = pattern;
  for (const param of paramNames) {
    const value = (params as Record<string, unknown> | undefined)?.[param];
    if (value === undefined || value === null) {
      throw new Error(ContractMessages.missingParam(pattern, param, params));
    }
    const text = typeof value === 'number' || typeof value === 'string' ? String(value) : '';
    if (!VALUE.test(text)) throw new Error(ContractMessages.badParamValue(pattern, param, value));
    name = name.replace(`{${param}}`, text);
  }
  return name;
}

function assertSpec(spec: unknown, what: string): void {
  if (!isStandardSchema(spec) && (spec as Typed<unknown>)?.['~typed'] !== true) {
    throw new Error(ContractMessages.badSpec(what));
  }
}

function assertEventName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new Error(ContractMessages.badEventName(name));
  }
}

/**
 * Defines a channel: `defineChannel('private', 'orders.{orderId}')`. The pattern leaves out
 * the prefix, as `@ChannelAuth` patterns do; `{x}` is one dot-free parameter.
 */
export function defineChannel<const K extends ChannelKind, const P extends string, M = unknown>(
  kind: K,
  pattern: P,
  options: DefineChannelOptions<M> = {},
): ChannelContract<K, P, M> {
  if (!Object.hasOwn(KIND_PREFIX, kind)) throw new Error(ContractMessages.unknownKind(kind));
  for (const prefix of [ChannelPrefix.encrypted, ChannelPrefix.private, ChannelPrefix.presence]) {
    if (typeof pattern === 'string' && pattern.startsWith(prefix)) {
      throw new Error(ContractMessages.prefixedPattern(pattern, prefix));
    }
  }
  let paramNames: string[];
  try {
    paramNames = compileChannelPattern(pattern).paramNames;
  } catch (error) {
    throw new Error(ContractMessages.badPattern(pattern, (error as Error).message));
  }
  if (options.member !== undefined) assertSpec(options.member, 'defineChannel() member');
  const prefix = KIND_PREFIX[kind];
  const channel: ChannelContract<K, P, M> = {
    contract: 'channel',
    kind,
    pattern,
    member: options.member,
    name: (...args) => (prefix + buildName(pattern, paramNames, args[0])) as ChannelFullName<K, P>,
    bareName: (...args) => buildName(pattern, paramNames, args[0]) as PatternName<P>,
    event: (name: string, payload: PayloadSpec = typed()) => {
      assertEventName(name);
      if (name.startsWith('client-')) throw new Error(ContractMessages.clientEventName(name));
      assertSpec(payload, `event("${name}")`);
      return { contract: 'event', channel, name, payload } as never;
    },
    whisper: (name: string, payload: PayloadSpec = typed()) => {
      assertEventName(name);
      if (kind === 'public') throw new Error(ContractMessages.whisperOnPublic(pattern));
      assertSpec(payload, `whisper("${name}")`);
      return { contract: 'whisper', channel, name, payload } as never;
    },
  };
  return Object.freeze(channel);
}

/** Building params for a channel contract: `{ orderId: string | number }`. */
export type ChannelParams<C extends ChannelContract> =
  C extends ChannelContract<any, infer P, any> ? PatternParams<P> : never;
