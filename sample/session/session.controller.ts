import { Body, Controller, Get, Headers, Post, Redirect, Res } from '@nestjs/common';
import { OrdersService } from '../orders/orders.service.js';
import type { SampleUser } from './sample-user.js';
import {
  expiredSessionCookie,
  sessionCookie,
  userFromCookieHeader,
  userFromName,
  userNameProblem,
} from './session-cookie.js';

/** Only what the sample needs from the platform's response object (Express or Fastify). */
interface CookieResponse {
  header(name: string, value: string): unknown;
}

/** Sign-in by name (no password: this is a demo of channel authorization, not of login). */
@Controller()
export class SessionController {
  constructor(private readonly orders: OrdersService) {}

  /** The login form posts here; the browser follows the redirect back to the dashboard. */
  @Post('login')
  @Redirect('/', 303)
  login(@Body() body: { name?: unknown }, @Res({ passthrough: true }) res: CookieResponse) {
    const problem = userNameProblem(body?.name);
    if (problem) return { url: `/?error=${encodeURIComponent(problem)}` };
    const user = userFromName(String(body.name));
    this.orders.seedFor(user);
    res.header('Set-Cookie', sessionCookie(user));
    return { url: '/' };
  }

  @Post('logout')
  @Redirect('/', 303)
  logout(@Res({ passthrough: true }) res: CookieResponse) {
    res.header('Set-Cookie', expiredSessionCookie());
  }

  /**
   * Who is signed in: `{ user: null }` for a guest. A 200 either way, since a signed-out
   * visitor is a normal state of the page, not an error for the browser console.
   */
  @Get('api/me')
  me(@Headers('cookie') cookie: string | undefined): { user: SampleUser | null } {
    return { user: userFromCookieHeader(cookie) ?? null };
  }
}
