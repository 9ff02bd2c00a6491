import { HttpException, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { BroadcastAuthError, BroadcastException } from '../errors/broadcast.exception.js';
import { AuthGuardRunner } from './auth-guard-runner.js';
import { authExecutionContext } from './auth-execution-context.js';
import { AuthMessages, HiddenDenial } from './auth-messages.js';
import type { BroadcastAuthRequest } from './auth-options.interface.js';
import { readAuthFields, type AuthRequestFields } from './auth-request-body.js';
import { BroadcastAuthSettings } from './broadcast-auth.settings.js';
import { ChannelAuthorizer } from './channel-authorizer.js';
import type { ResolvedAuthOptions } from './resolved-auth-options.js';

type RouteHandler = (req: BroadcastAuthRequest, res: unknown) => Promise<void>;

/**
 * Mounts `POST {authEndpoint}` and `POST {userAuthEndpoint}` on the app's HTTP adapter.
 *
 * Why routes on the adapter and not a `@Controller`: a controller's paths are fixed when
 * its class is decorated, but these paths come from configuration that `forRootAsync` only
 * knows after DI, and a controller cannot be left out when the endpoints are disabled (it
 * would shadow the app's own route on the same path). `HttpAdapterHost.httpAdapter.post()`
 * is the same call on Express and Fastify, takes the configured path as is (Echo's
 * `/broadcasting/auth` stays put under a global prefix), and keeps global interceptors and
 * pipes from reshaping the exact JSON pusher-js parses. It runs in `onModuleInit`: after
 * Nest registered the app's routes and body parsers, before Express's 404 handler and
 * before Fastify starts listening. The app's guards run through `auth.guards`.
 */
@Injectable()
export class BroadcastAuthRoutes implements OnModuleInit {
  private readonly logger = new Logger('ChannelAuth');
  private guards?: AuthGuardRunner;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly discovery: DiscoveryService,
    private readonly moduleRef: ModuleRef,
    private readonly authorizer: ChannelAuthorizer,
    private readonly settings: BroadcastAuthSettings,
  ) {}

  private get options(): ResolvedAuthOptions {
    return this.settings.options;
  }

  async onModuleInit(): Promise<void> {
    if (!this.options.enabled) return;
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) {
      // A standalone application context or a microservice: nothing to mount on.
      this.logger.debug(AuthMessages.unsupportedAdapter());
      return;
    }
    this.guards = await AuthGuardRunner.resolve(
      this.options.guards,
      this.discovery,
      this.moduleRef,
    );
    adapter.post(this.options.authEndpoint, this.channelRoute);
    adapter.post(this.options.userAuthEndpoint, this.userRoute);
    this.logger.log(
      `Channel authorization on POST ${this.options.authEndpoint}, ` +
        `user authentication on POST ${this.options.userAuthEndpoint}`,
    );
  }

  private readonly channelRoute: RouteHandler = (req, res) =>
    this.handle(req, res, this.channelRoute, (fields, user) =>
      this.authorizer.authorizeChannel({ user, ...fields }),
    );

  private readonly userRoute: RouteHandler = (req, res) =>
    this.handle(req, res, this.userRoute, async (fields, user) =>
      this.authorizer.authenticateUser({ user, socketId: fields.socketId }),
    );

  private async handle(
    req: BroadcastAuthRequest,
    res: unknown,
    route: RouteHandler,
    action: (fields: AuthRequestFields, user: unknown) => Promise<object>,
  ): Promise<void> {
    try {
      const context = authExecutionContext(req, res, BroadcastAuthRoutes, route);
      if (this.guards && !(await this.guards.canActivate(context)))
        throw new BroadcastAuthError(AuthMessages.guardRefused(), 'unauthenticated');
      const fields = await readAuthFields(req);
      const user = await this.options.resolveUser(req);
      this.reply(res, 200, await action(fields, user));
    } catch (error) {
      this.replyError(res, error);
    }
  }

  private replyError(res: unknown, error: unknown): void {
    const expose = this.options.exposeDenialReasons;
    if (error instanceof BroadcastAuthError) {
      // The client hears the reason and the channel; the log keeps which callback said no.
      this.logger.log(AuthMessages.denied(error.reason, error.detail ?? error.message));
      const body = expose
        ? { error: error.message, reason: error.reason }
        : { error: HiddenDenial[error.status] };
      return this.reply(res, error.status, body);
    }
    if (error instanceof HttpException) {
      // A guard's own answer (e.g. 401 from a JWT guard) goes out as Nest would send it.
      const response = error.getResponse();
      const status = error.getStatus();
      return this.reply(
        res,
        status,
        typeof response === 'object' ? response : { statusCode: status, message: response },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(message, error instanceof Error ? error.stack : undefined);
    const ours = error instanceof BroadcastException;
    this.reply(res, 500, { error: expose && ours ? message : AuthMessages.internalError });
  }

  private reply(res: unknown, status: number, body: object): void {
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(res, 'Cache-Control', 'no-store');
    adapter.reply(res, body, status);
  }
}
