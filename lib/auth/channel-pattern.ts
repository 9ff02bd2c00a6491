import { channelKind } from '../shared/pusher-protocol/channel-names.js';
import { PatternProblems } from './auth-messages.js';
import type { AuthorizableChannelKind, ChannelAuthParams } from './channel-auth.interface.js';
import { ChannelPrefix } from '../shared/pusher-protocol/channel-prefixes.js';

/** A `@ChannelAuth` pattern compiled once at boot, matched on every authorization. */
export interface CompiledChannelPattern {
  pattern: string;
  paramNames: string[];
  regex: RegExp;
}

const PREFIXES: Record<AuthorizableChannelKind, string> = ChannelPrefix;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LITERAL = /^[A-Za-z0-9_\-=@,.;]*$/;

/**
 * The kind of a channel that needs authorization and its name without the prefix
 * (Laravel's rule: patterns never carry `private-` / `private-encrypted-` / `presence-`).
 * `undefined` for public and server-to-user channels.
 */
export function splitAuthorizableChannel(
  channel: string,
): { kind: AuthorizableChannelKind; name: string } | undefined {
  const kind = channelKind(channel);
  if (kind !== 'private' && kind !== 'encrypted' && kind !== 'presence') return undefined;
  return { kind, name: channel.slice(PREFIXES[kind].length) };
}

/** Why a pattern cannot be used, or `undefined` when it compiles. */
export function channelPatternProblem(pattern: unknown): string | undefined {
  try {
    compileChannelPattern(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Compiles `orders.{orderId}` to `^orders\.([^.]+)$`: `{x}` captures one dot-free segment,
 * everything else is literal, and the whole (unprefixed) name must match.
 * Throws an Error whose message says what is wrong with the pattern.
 */
export function compileChannelPattern(pattern: unknown): CompiledChannelPattern {
  if (typeof pattern !== 'string' || pattern.length === 0)
    throw new Error(PatternProblems.notAString);
  const prefix = Object.values(PREFIXES).find((p) => pattern.startsWith(p));
  if (prefix) throw new Error(PatternProblems.hasPrefix(prefix, pattern.slice(prefix.length)));

  const paramNames: string[] = [];
  let source = '';
  let last = 0;
  for (const match of pattern.matchAll(PLACEHOLDER)) {
    source += literal(pattern.slice(last, match.index));
    const name = match[1];
    if (!PARAM_NAME.test(name)) throw new Error(PatternProblems.badParamName(name));
    if (paramNames.includes(name)) throw new Error(PatternProblems.repeatedParam(name));
    paramNames.push(name);
    source += '([^.]+)';
    last = match.index + match[0].length;
  }
  source += literal(pattern.slice(last));
  return { pattern, paramNames, regex: new RegExp(`^${source}$`) };
}

/** The parameters of `name` (unprefixed) when the whole name matches, else `undefined`. */
export function matchChannelPattern(
  compiled: CompiledChannelPattern,
  name: string,
): ChannelAuthParams | undefined {
  const match = compiled.regex.exec(name);
  if (!match) return undefined;
  const params: ChannelAuthParams = {};
  compiled.paramNames.forEach((param, i) => (params[param] = match[i + 1]));
  return params;
}

function literal(text: string): string {
  if (text.includes('{') || text.includes('}')) throw new Error(PatternProblems.unbalanced);
  if (!LITERAL.test(text)) throw new Error(PatternProblems.badCharacters(text));
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
