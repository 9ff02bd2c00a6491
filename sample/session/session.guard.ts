import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { userFromCookieHeader } from './session-cookie.js';

/**
 * Sets `req.user` from the session cookie and refuses guests. Guards the sample's REST
 * routes and, through `BroadcastModule.forRoot({ auth: { guards } })`, the channel
 * authorization endpoint, so `@ChannelAuth` callbacks receive this user.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined>; user?: unknown }>();
    const user = userFromCookieHeader(req.headers.cookie);
    if (!user) throw new UnauthorizedException('Sign in first: POST /login with a name.');
    req.user = user;
    return true;
  }
}
