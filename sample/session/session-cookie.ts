import type { SampleUser } from './sample-user.js';

/**
 * The sample's "session" is the chosen user name in a cookie. Good enough to give channel
 * authorization a user; a real app puts its own session or JWT guard here instead.
 */
export const SESSION_COOKIE = 'orders_demo_user';

const USER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,23}$/;

/** Why a name cannot be used to sign in, or `undefined` when it can. */
export function userNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return 'Type a name to sign in.';
  if (!USER_NAME.test(name.trim()))
    return 'Names start with a letter and use at most 24 letters, digits, "_" or "-".';
  return undefined;
}

export function userFromName(name: string): SampleUser {
  const trimmed = name.trim();
  return { id: trimmed.toLowerCase(), name: trimmed };
}

/** Reads the session cookie from a raw `Cookie` header; `undefined` when absent or malformed. */
export function userFromCookieHeader(
  header: string | string[] | undefined,
): SampleUser | undefined {
  const raw = Array.isArray(header) ? header.join('; ') : header;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
    return userNameProblem(value) ? undefined : userFromName(value);
  }
  return undefined;
}

/** `Set-Cookie` value that signs the user in (HttpOnly: page scripts never need it). */
export function sessionCookie(user: SampleUser): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(user.name)}; Path=/; HttpOnly; SameSite=Lax`;
}

/** `Set-Cookie` value that signs the user out. */
export function expiredSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
