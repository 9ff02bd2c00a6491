import type { PatternAuthParams, PatternParams } from './channel-pattern-types.js';
import type { ChannelContract, ChannelFullName } from './channel-contract.js';
import type { PayloadSpec, SpecInput, SpecOutput } from './typed.js';

/** One event on one channel: its name and payload, shared by server and browser. */
export interface EventContract<
  C extends ChannelContract<any, any, any> = ChannelContract<any, any, any>,
  N extends string = string,
  S extends PayloadSpec<any, any> = PayloadSpec<any, any>,
> {
  readonly contract: 'event';
  readonly channel: C;
  /** The event name clients listen for (what `broadcastAs()` returns). */
  readonly name: N;
  /** The payload's schema (validated before any driver runs) or a `typed<T>()` marker. */
  readonly payload: S;
}

/** A client event (`client-{name}`) browsers whisper to each other on one channel. */
export interface WhisperContract<
  C extends ChannelContract<any, any, any> = ChannelContract<any, any, any>,
  N extends string = string,
  S extends PayloadSpec<any, any> = PayloadSpec<any, any>,
> {
  readonly contract: 'whisper';
  readonly channel: C;
  readonly name: N;
  readonly payload: S;
}

type AnyMessage = EventContract | WhisperContract;

/** What the server passes for an event: the schema's input type. */
export type PayloadInput<E extends AnyMessage> = SpecInput<E['payload']>;

/** What a listener receives: the schema's output type. */
export type PayloadOf<E extends AnyMessage> = SpecOutput<E['payload']>;

/** The channel contract an event or whisper belongs to. */
export type ChannelOf<E extends AnyMessage> = E['channel'];

/** An event, a whisper or a channel contract: what the helper types below accept. */
type AnyContract = AnyMessage | ChannelContract<any, any, any>;

/** The channel contract itself, whether given the channel or one of its events. */
type ChannelPart<T extends AnyContract> = T extends AnyMessage ? T['channel'] : T;

/**
 * The fields are read by indexed access, not `infer` against ChannelContract: its methods
 * return contracts that mention it again, which makes inference recurse too deep.
 */
type PatternOf<T extends AnyContract> = ChannelPart<T>['pattern'] & string;

/** Parameters that build the channel name of an event or channel contract. */
export type ParamsOf<T extends AnyContract> = PatternParams<PatternOf<T>>;

/** What a `@ChannelAuth(channel)` callback receives: the parameters, as strings. */
export type AuthParamsOf<T extends AnyContract> = PatternAuthParams<PatternOf<T>>;

/** The presence member (`user_info`) type of a channel or of an event on it. */
export type MemberOf<T extends AnyContract> = Exclude<ChannelPart<T>['~member'], undefined>;

/** The full channel names of an event's channel: `private-orders.${string}`. */
export type ChannelNameOf<T extends AnyContract> = ChannelFullName<
  ChannelPart<T>['kind'],
  PatternOf<T>
>;

/**
 * The `Events` map of `@laravel/echo-react` (Echo's own typed hooks) for a union of event
 * contracts: `{ '.order.shipped': { tracking: string } }`. One line types them all:
 * `declare module '@laravel/echo-react' { interface Events extends EchoEvents<typeof A | typeof B> {} }`
 */
export type EchoEvents<E extends EventContract> = {
  [Event in E as `.${Event['name']}`]: PayloadOf<Event>;
};
