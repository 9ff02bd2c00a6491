/** Query parameters that may carry a credential (ioredis reads `?password=` as one). */
const SECRET_PARAM = /pass|secret|token|auth/i;
const MASK = '****';

/**
 * A Redis URL fit for messages and logs: the password (`user:password@`, also one holding an
 * `@`) and credential query parameters (`?password=`) become `****`; scheme, user, host, port
 * and db stay, so the message still says where. Parsed as ioredis parses it (WHATWG URL). A
 * URL that does not parse, or whose `@` did not end up in the credentials (a password with
 * `/`, `?` or `#` spills into the path, query or fragment), is masked entirely.
 */
export function maskRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return MASK;
  }
  if (url.includes('@') && !parsed.username && !parsed.password) return MASK;
  if (parsed.password) parsed.password = MASK;
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, MASK);
  }
  parsed.hash = '';
  return parsed.toString();
}
