import type { IncomingMessage, ServerResponse } from 'node:http';
import { channelKind, channelNameProblem } from '../../shared/pusher-protocol/channel-names.js';
import { badRequest, HttpApiError } from './http-api-error.js';
import type { HttpApiApp, HttpApiEngine } from '../engine/engine-surface.js';
import { consoleLogger, type ServerLogger } from '../../shared/logger.js';
import { readRequestBody } from './read-api-body.js';
import { parseRequestQuery, type RequestQuery } from './request-query.js';
import { verifyRequestSignature } from './request-signature.js';
import {
  maxEventBodyBytes,
  parseAttributes,
  parseJsonObject,
  parseTriggerRequest,
  type ChannelAttribute,
  type TriggerRequest,
} from './trigger-request.js';
import { isPresenceChannel } from '../../shared/pusher-protocol/channel-prefixes.js';

/** Body cap of the endpoints that carry no events (`terminate_connections` sends `{}`). */
const SMALL_BODY_BYTES = 4096;
const MAX_USER_ID_LENGTH = 200;

type Route =
  | { kind: 'events' }
  | { kind: 'batch' }
  | { kind: 'channels' }
  | { kind: 'channel'; channel: string }
  | { kind: 'users'; channel: string }
  | { kind: 'terminate'; userId: string };

export interface HttpApiOptions {
  /**
   * Where unexpected failures (a 500) are reported; request mistakes are not logged.
   * @default consoleLogger
   */
  logger?: ServerLogger;
  /**
   * The clock `auth_timestamp` is checked against, in whole seconds since the epoch.
   * @default () => Math.floor(Date.now() / 1000)
   */
  now?: () => number;
  /**
   * The body of `GET /up` (still 200: a degraded node keeps serving its own subscribers).
   * @default () => ({ status: 'ok' })
   */
  health?: () => { status: string };
}

/**
 * Pusher's HTTP API (`/apps/{id}/...`) and the `GET /up` health check, on raw `node:http`
 * so no framework pipeline runs on the publish path. {@link handle} answers the requests
 * whose path is its own and leaves every other request untouched, so it can sit in front
 * of a Nest app on the same server.
 */
export class HttpApi {
  private readonly logger: ServerLogger;
  private readonly health: () => { status: string };
  private readonly now: () => number;

  constructor(
    private readonly engine: HttpApiEngine,
    options: HttpApiOptions = {},
  ) {
    this.logger = options.logger ?? consoleLogger;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.health = options.health ?? (() => ({ status: 'ok' }));
  }

  /**
   * True when the path is the API's: `/up` and `/apps/...`, or with `knownAppsOnly` only
   * `/apps/{id}/...` of an app served here, so a host app keeps its own `/apps/...` routes.
   */
  owns(url: string | undefined, knownAppsOnly = false): boolean {
    if (!url) return false;
    const path = pathOf(url);
    if (path === '/up') return true;
    if (!path.startsWith('/apps/')) return false;
    if (!knownAppsOnly) return true;
    const end = path.indexOf('/', 6);
    const id = path.slice(6, end < 0 ? undefined : end);
    try {
      return this.engine.apps.byId(decodeURIComponent(id)) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * Answers the request and returns true if {@link owns} its path; returns false, touching
   * nothing, otherwise.
   */
  handle(req: IncomingMessage, res: ServerResponse, knownAppsOnly = false): boolean {
    if (!this.owns(req.url, knownAppsOnly)) return false;
    this.respond(req, res).catch((error: unknown) => {
      const known = error instanceof HttpApiError;
      if (!known)
        this.logger.error(
          `Broadcast HTTP API failed on ${req.method} ${pathOf(req.url!)}: ${describe(error)}`,
        );
      if (res.headersSent) return res.destroy();
      if (!known) return send(res, 500, { error: 'Internal server error.' });
      send(res, error.status, { error: error.message }, errorHeaders(error.status, req.url!));
    });
    return true;
  }

  private async respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url!;
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const method = req.method ?? 'GET';

    if (path === '/up') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpApiError(405, 'Use GET /up.');
      return send(res, 200, this.health());
    }

    const segments = path.split('/'); // ['', 'apps', id, ...rest]
    const appId = decodeSegment(segments[2] ?? '');
    const app = appId ? this.engine.apps.byId(appId) : undefined;
    if (!app) throw new HttpApiError(404, `Unknown app id "${appId.slice(0, 60)}".`);

    const route = matchRoute(segments.slice(3));
    if (!route) throw new HttpApiError(404, `No HTTP API endpoint at ${path.slice(0, 120)}.`);
    const expected = expectedMethod(route);
    if (method !== expected)
      throw new HttpApiError(405, `Use ${expected} for ${path.slice(0, 120)}.`);

    const bodyCap =
      route.kind === 'events'
        ? maxEventBodyBytes(app)
        : route.kind === 'batch'
          ? maxEventBodyBytes(app) * app.limits.maxBatchSize
          : SMALL_BODY_BYTES;
    const body = await readRequestBody(req, bodyCap);
    const query = parseRequestQuery(queryAt < 0 ? '' : url.slice(queryAt + 1));
    verifyRequestSignature(app, method, path, query, body, this.now());
    if (!app.enabled) throw new HttpApiError(403, `App "${app.id}" is disabled.`);

    send(res, 200, await this.answer(app, route, query, body));
  }

  private async answer(
    app: HttpApiApp,
    route: Route,
    query: RequestQuery,
    body: Buffer,
  ): Promise<unknown> {
    switch (route.kind) {
      case 'events': {
        const event = parseTriggerRequest(parseJsonObject(body), app);
        this.publish(app, event);
        if (event.info.length === 0) return {};
        return { channels: await this.channelInfo(app, event.channels, event.info) };
      }
      case 'batch': {
        const batch = parseJsonObject(body).batch;
        if (!Array.isArray(batch) || batch.length === 0)
          throw badRequest('"batch" must be a non-empty array of events.');
        if (batch.length > app.limits.maxBatchSize)
          throw badRequest(
            `${batch.length} events in the batch; at most ${app.limits.maxBatchSize} per request.`,
          );
        // Validate every entry before publishing any, so a bad batch publishes nothing.
        const events = batch.map((e, i) => parseTriggerRequest(e, app, `batch[${i}]: `));
        for (const event of events) this.publish(app, event);
        if (events.every((e) => e.info.length === 0)) return {};
        return {
          batch: await Promise.all(
            events.map(async (e) => {
              const info = await this.channelInfo(app, e.channels, e.info);
              return info[e.channels[0]] ?? {};
            }),
          ),
        };
      }
      case 'channels': {
        const info = parseAttributes(query.decoded.info, ['user_count', 'subscription_count']);
        const prefix = query.decoded.filter_by_prefix || undefined;
        if (info.includes('user_count') && !(prefix !== undefined && isPresenceChannel(prefix)))
          throw badRequest(
            'info=user_count needs filter_by_prefix=presence- (presence channels only).',
          );
        const channels = await this.engine.channels(app.id, { prefix });
        const result: Record<string, Record<string, number>> = {};
        for (const [name, counts] of channels) {
          if (prefix && !name.startsWith(prefix)) continue;
          result[name] = attributes(info, counts, name);
        }
        return { channels: result };
      }
      case 'channel': {
        const info = parseAttributes(query.decoded.info, ['user_count', 'subscription_count']);
        if (info.includes('user_count') && channelKind(route.channel) !== 'presence')
          throw badRequest('info=user_count is only available for presence channels.');
        const state = await this.engine.channel(app.id, route.channel);
        return { occupied: state.occupied, ...attributes(info, state, route.channel) };
      }
      case 'users': {
        if (channelKind(route.channel) !== 'presence')
          throw badRequest('Users can only be listed for presence channels.');
        const users = await this.engine.presenceUsers(app.id, route.channel);
        return { users: users.map((u) => ({ id: u.id })) };
      }
      case 'terminate':
        await this.engine.terminateUserConnections(app.id, route.userId);
        return {};
    }
  }

  private publish(app: HttpApiApp, event: TriggerRequest): void {
    this.engine.publish(app.id, event.channels, event.name, event.data, event.socketId);
  }

  private async channelInfo(
    app: HttpApiApp,
    channels: string[],
    info: ChannelAttribute[],
  ): Promise<Record<string, Record<string, number>>> {
    const result: Record<string, Record<string, number>> = {};
    await Promise.all(
      channels.map(async (name) => {
        result[name] = attributes(info, await this.engine.channel(app.id, name), name);
      }),
    );
    return result;
  }
}

/** The requested attributes of one channel; `user_count` exists only on presence channels. */
function attributes(
  info: ChannelAttribute[],
  counts: { subscriptionCount: number; userCount?: number },
  channel: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (info.includes('user_count') && channelKind(channel) === 'presence')
    out.user_count = counts.userCount ?? 0;
  if (info.includes('subscription_count')) out.subscription_count = counts.subscriptionCount;
  return out;
}

function matchRoute(rest: string[]): Route | undefined {
  const [first, second, third, ...more] = rest;
  if (more.length > 0) return undefined;
  if (first === 'events' && second === undefined) return { kind: 'events' };
  if (first === 'batch_events' && second === undefined) return { kind: 'batch' };
  if (first === 'channels') {
    if (second === undefined || second === '')
      return third === undefined ? { kind: 'channels' } : undefined;
    const channel = decodeSegment(second);
    const problem = channelNameProblem(channel);
    if (problem) throw badRequest(`Invalid channel "${channel.slice(0, 60)}": ${problem}.`);
    if (third === undefined) return { kind: 'channel', channel };
    if (third === 'users') return { kind: 'users', channel };
    return undefined;
  }
  if (first === 'users' && third === 'terminate_connections') {
    const userId = decodeSegment(second ?? '');
    if (!userId || userId.length > MAX_USER_ID_LENGTH)
      throw badRequest(`A user id is 1 to ${MAX_USER_ID_LENGTH} characters.`);
    return { kind: 'terminate', userId };
  }
  return undefined;
}

function expectedMethod(route: Route): 'GET' | 'POST' {
  return route.kind === 'events' || route.kind === 'batch' || route.kind === 'terminate'
    ? 'POST'
    : 'GET';
}

function errorHeaders(status: number, url: string): Record<string, string> {
  if (status === 405) return { allow: allowedFor(url) };
  // Close rather than drain the rest of an oversized upload.
  if (status === 413) return { connection: 'close' };
  return {};
}

function allowedFor(url: string): string {
  const path = pathOf(url);
  if (path === '/up') return 'GET, HEAD';
  return /\/(events|batch_events|terminate_connections)$/.test(path) ? 'POST' : 'GET';
}

function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? url : url.slice(0, queryAt);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('The path is not valid percent-encoding.');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}
