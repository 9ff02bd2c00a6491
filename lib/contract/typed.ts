import type { StandardSchemaV1 } from './standard-schema.js';

/**
 * A payload type with no runtime check: `typed<{ tracking: string }>()`. Only the compiler
 * reads it; at run time it is an empty marker, so nothing is validated.
 */
export interface Typed<T> {
  readonly '~typed': true;
  /** Never set: carries `T` for the compiler. */
  readonly '~type'?: T;
}

/** Declares a payload (or presence member) type without a runtime schema. */
export function typed<T>(): Typed<T> {
  return { '~typed': true };
}

/** What a contract accepts for a payload: a Standard Schema (validated) or {@link typed}. */
export type PayloadSpec<Input = unknown, Output = Input> =
  StandardSchemaV1<Input, Output> | Typed<Output>;

/** What the server hands in (a schema's input type). */
export type SpecInput<S> =
  S extends StandardSchemaV1<infer I, any> ? I : S extends Typed<infer T> ? T : never;

/** What the browser receives (a schema's output type). */
export type SpecOutput<S> =
  S extends StandardSchemaV1<any, infer O> ? O : S extends Typed<infer T> ? T : never;

/** True when `spec` validates at run time (a Standard Schema, not a {@link typed} marker). */
export function isStandardSchema(spec: unknown): spec is StandardSchemaV1 {
  return (
    typeof spec === 'object' &&
    spec !== null &&
    typeof (spec as StandardSchemaV1)['~standard']?.validate === 'function'
  );
}
