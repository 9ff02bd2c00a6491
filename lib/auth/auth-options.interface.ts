import type { CanActivate, Type } from '@nestjs/common';

/** What the app's request looks like to the auth endpoints (Express or Fastify). */
export type BroadcastAuthRequest = {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  user?: unknown;
  [key: string]: unknown;
};

/**
 * Options for the channel authorization endpoints that pusher-js and laravel-echo call
 * before joining a private or presence channel. Set under `BroadcastModule.forRoot({ auth })`.
 */
export interface BroadcastAuthOptions {
  /**
   * Mount `POST {authEndpoint}` and `POST {userAuthEndpoint}`. Turn off to mount your own
   * controller that calls `ChannelAuthorizer` yourself.
   * @default true
   */
  enabled?: boolean;
  /**
   * Guards to run, in order, before the endpoints, e.g. your session or JWT guard that sets
   * `req.user`. A class is taken from your providers when registered (so its dependencies
   * are injected), else built with the app's injector; instances are used as given. Global
   * guards (`APP_GUARD`, `useGlobalGuards`) do not run on these routes: list them here.
   * A guard returning false gives 403 `unauthenticated`; an `HttpException` it throws
   * (e.g. 401) is sent as is.
   * @default []
   */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /**
   * Finds the user of a request. Return `null`/`undefined` for a guest (403 `unauthenticated`).
   * @default (req) => req.user
   */
  resolveUser?: (req: BroadcastAuthRequest) => unknown | Promise<unknown>;
  /**
   * The presence `user_id` of a user.
   * @default (user) => user.id
   */
  presenceUserId?: (user: any) => string | number;
  /**
   * The `user_data` of `pusher:signin` (user authentication). Must contain a string `id`.
   * @default (user) => ({ id: String(user.id) })
   */
  resolveUserData?: (user: any) => Record<string, unknown> & { id: string };
  /**
   * Show denial reason codes in 403 bodies. Hidden in production so attackers learn nothing.
   * @default process.env.NODE_ENV !== 'production'
   */
  exposeDenialReasons?: boolean;
}
