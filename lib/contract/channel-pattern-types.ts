/**
 * Type-level reading of a channel pattern, the same syntax `@ChannelAuth` uses:
 * `orders.{orderId}` has the parameter `orderId`, and its names match `orders.${string}`.
 */

/** The placeholder names of a pattern: `'a.{x}.{y}'` → `'x' | 'y'`. */
export type PatternParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PatternParamNames<Rest>
  : never;

/** What building a channel name takes: `orders.{orderId}` → `{ orderId: string | number }`. */
export type PatternParams<P extends string> = {
  [K in PatternParamNames<P>]: string | number;
};

/** What an authorization callback gets: the same keys, always strings (parsed from the name). */
export type PatternAuthParams<P extends string> = {
  [K in PatternParamNames<P>]: string;
};

/** The names a pattern matches, as a template literal type: `orders.{orderId}` → `orders.${string}`. */
export type PatternName<P extends string> = P extends `${infer Head}{${string}}${infer Rest}`
  ? `${Head}${string}${PatternName<Rest>}`
  : P;

/** True when the pattern has no placeholder, so building its name needs no parameters. */
export type HasNoParams<P extends string> = [PatternParamNames<P>] extends [never] ? true : false;

/** The arguments of a name builder: none for a fixed name, the parameters otherwise. */
export type ParamsArgs<P extends string> =
  HasNoParams<P> extends true ? [params?: Record<string, never>] : [params: PatternParams<P>];
