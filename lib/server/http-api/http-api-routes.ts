import { channelNameProblem } from '../../shared/pusher-protocol/channel-names.js';
import type { HttpApiApp } from '../engine/engine-surface.js';
import { badRequest } from './http-api-error.js';
import { HttpApiMessages } from './http-api-messages.js';
import { maxEventBodyBytes } from './trigger-request.js';

/** Body cap of the endpoints that carry no events (`terminate_connections` sends `{}`). */
const SMALL_BODY_BYTES = 4096;
const MAX_USER_ID_LENGTH = 200;

/** An endpoint under `/apps/{id}/`, with its path parameters decoded and validated. */
export type HttpApiRoute =
  | { readonly endpoint: 'events' }
  | { readonly endpoint: 'batch_events' }
  | { readonly endpoint: 'channels' }
  | { readonly endpoint: 'channel'; readonly channel: string }
  | { readonly endpoint: 'channel_users'; readonly channel: string }
  | { readonly endpoint: 'terminate_connections'; readonly userId: string };

interface EndpointRules {
  readonly method: 'GET' | 'POST';
  /** Past this the body is refused (413) before it is buffered, let alone parsed. */
  maxBodyBytes(app: HttpApiApp): number;
}

/** What each endpoint accepts before its handler runs. */
export const ENDPOINT_RULES: Readonly<Record<HttpApiRoute['endpoint'], EndpointRules>> = {
  events: { method: 'POST', maxBodyBytes: maxEventBodyBytes },
  batch_events: {
    method: 'POST',
    maxBodyBytes: (app) => maxEventBodyBytes(app) * app.limits.maxBatchSize,
  },
  channels: { method: 'GET', maxBodyBytes: () => SMALL_BODY_BYTES },
  channel: { method: 'GET', maxBodyBytes: () => SMALL_BODY_BYTES },
  channel_users: { method: 'GET', maxBodyBytes: () => SMALL_BODY_BYTES },
  terminate_connections: { method: 'POST', maxBodyBytes: () => SMALL_BODY_BYTES },
};

// The routes without parameters are the same object on every request.
const EVENTS: HttpApiRoute = { endpoint: 'events' };
const BATCH_EVENTS: HttpApiRoute = { endpoint: 'batch_events' };
const CHANNELS: HttpApiRoute = { endpoint: 'channels' };

/**
 * Matches the path segments after `/apps/{id}`; undefined when no endpoint is there.
 * Throws a 400 for a channel name or user id no endpoint could take.
 */
export function matchRoute(rest: string[]): HttpApiRoute | undefined {
  const [first, second, third, ...more] = rest;
  if (more.length > 0) return undefined;
  if (first === 'events' && second === undefined) return EVENTS;
  if (first === 'batch_events' && second === undefined) return BATCH_EVENTS;
  if (first === 'channels') {
    if (second === undefined || second === '') return third === undefined ? CHANNELS : undefined;
    const channel = decodePathSegment(second);
    const problem = channelNameProblem(channel);
    if (problem) throw badRequest(HttpApiMessages.invalidPathChannel(channel, problem));
    if (third === undefined) return { endpoint: 'channel', channel };
    if (third === 'users') return { endpoint: 'channel_users', channel };
    return undefined;
  }
  if (first === 'users' && third === 'terminate_connections') {
    const userId = decodePathSegment(second ?? '');
    if (!userId || userId.length > MAX_USER_ID_LENGTH)
      throw badRequest(HttpApiMessages.badUserId(MAX_USER_ID_LENGTH));
    return { endpoint: 'terminate_connections', userId };
  }
  return undefined;
}

export function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? url : url.slice(0, queryAt);
}

export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(HttpApiMessages.badPercentEncoding());
  }
}
