// Public API of `nestjs-broadcasting/contract`: channel and event contracts shared by the Nest
// app and the browser. It imports no Node built-in and nothing from Nest (a test checks).
export {
  defineChannel,
  type ChannelContract,
  type ChannelFullName,
  type ChannelKind,
  type ChannelParams,
  type DefineChannelOptions,
} from './channel-contract.js';
export type {
  AuthParamsOf,
  ChannelNameOf,
  ChannelOf,
  EchoEvents,
  EventContract,
  MemberOf,
  ParamsOf,
  PayloadInput,
  PayloadOf,
  WhisperContract,
} from './event-contract.js';
export type {
  PatternAuthParams,
  PatternName,
  PatternParamNames,
  PatternParams,
} from './channel-pattern-types.js';
export { typed, type PayloadSpec, type Typed } from './typed.js';
export type { StandardSchemaV1 } from './standard-schema.js';
