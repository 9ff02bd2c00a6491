import type { IncomingMessage, ServerResponse } from 'node:http';
import { consoleLogger, type ServerLogger } from '../../shared/logger.js';
import { readRequestBody } from '../../shared/read-request-body.js';
import type { HttpApiApp, HttpApiEngine } from '../engine/engine-surface.js';
import { NO_METRICS } from '../metrics/no-metrics.js';
import type { ServerMetrics } from '../metrics/server-metrics.interface.js';
import { handleBatchEvents } from './handlers/batch-events.handler.js';
import { handleChannelUsers } from './handlers/channel-users.handler.js';
import { handleChannel } from './handlers/channel.handler.js';
import { handleChannels } from './handlers/channels.handler.js';
import { handleEvents } from './handlers/events.handler.js';
import { handleTerminateConnections } from './handlers/terminate-connections.handler.js';
import { handleUp } from './handlers/up.handler.js';
import { bodyTooLarge, forbidden, methodNotAllowed, notFound } from './http-api-error.js';
import { HttpApiMessages } from './http-api-messages.js';
import type { HttpApiOptions } from './http-api-options.interface.js';
import { sendFailure, sendJson } from './http-api-response.js';
import {
  decodePathSegment,
  ENDPOINT_RULES,
  matchRoute,
  pathOf,
  type HttpApiRoute,
} from './http-api-routes.js';
import { parseRequestQuery, type RequestQuery } from './request-query.js';
import { verifyRequestSignature } from './request-signature.js';

interface RouteSeen {
  route: HttpApiRoute['endpoint'] | 'up' | 'unknown';
}

/**
 * Pusher's HTTP API (`/apps/{id}/...`) and the `GET /up` health check, on raw `node:http`
 * so no framework pipeline runs on the publish path. {@link handle} answers the requests
 * whose path is its own and leaves every other request untouched, so it can sit in front
 * of a Nest app on the same server. Every endpoint passes the same gate here (app, route,
 * method, body cap, signature, app enabled) before its handler in `handlers/` runs.
 */
export class HttpApiRouter {
  private readonly logger: ServerLogger;
  private readonly health: () => { status: string };
  private readonly now: () => number;
  private readonly metrics: Pick<ServerMetrics, 'httpRequest'>;

  constructor(
    private readonly engine: HttpApiEngine,
    options: HttpApiOptions = {},
  ) {
    this.logger = options.logger ?? consoleLogger;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.health = options.health ?? (() => ({ status: 'ok' }));
    this.metrics = options.metrics ?? NO_METRICS;
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
    const seen: RouteSeen = { route: 'unknown' };
    this.respond(req, res, seen)
      .catch((error: unknown) => sendFailure(req, res, error, this.logger))
      .then(() => this.metrics.httpRequest(seen.route, res.statusCode));
    return true;
  }

  /** `seen.route` names the endpoint as soon as the path matched one, for the metrics. */
  private async respond(req: IncomingMessage, res: ServerResponse, seen: RouteSeen): Promise<void> {
    const url = req.url!;
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const method = req.method ?? 'GET';

    if (path === '/up') {
      seen.route = 'up';
      const health = handleUp(method, this.health);
      // Shutting down: a load balancer's health check takes the node out at once.
      return sendJson(res, health.status === 'stopping' ? 503 : 200, health);
    }

    const segments = path.split('/'); // ['', 'apps', id, ...rest]
    const appId = decodePathSegment(segments[2] ?? '');
    const app = appId ? this.engine.apps.byId(appId) : undefined;
    if (!app) throw notFound(HttpApiMessages.unknownApp(appId));

    const route = matchRoute(segments.slice(3));
    if (!route) throw notFound(HttpApiMessages.noEndpoint(path));
    seen.route = route.endpoint;
    const rules = ENDPOINT_RULES[route.endpoint];
    if (method !== rules.method)
      throw methodNotAllowed(rules.method, HttpApiMessages.wrongMethod(rules.method, path));

    const body = await readRequestBody(req, rules.maxBodyBytes(app), bodyTooLarge);
    const query = parseRequestQuery(queryAt < 0 ? '' : url.slice(queryAt + 1));
    verifyRequestSignature(app, method, path, query, body, this.now());
    if (!app.enabled) throw forbidden(HttpApiMessages.appDisabled(app.id));

    sendJson(res, 200, await this.dispatch(app, route, query, body));
  }

  private dispatch(
    app: HttpApiApp,
    route: HttpApiRoute,
    query: RequestQuery,
    body: Buffer,
  ): Promise<object> {
    const { engine } = this;
    switch (route.endpoint) {
      case 'events':
        return handleEvents(engine, app, body);
      case 'batch_events':
        return handleBatchEvents(engine, app, body);
      case 'channels':
        return handleChannels(engine, app, query);
      case 'channel':
        return handleChannel(engine, app, route.channel, query);
      case 'channel_users':
        return handleChannelUsers(engine, app, route.channel);
      case 'terminate_connections':
        return handleTerminateConnections(engine, app, route.userId);
    }
  }
}
