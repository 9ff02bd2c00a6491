/**
 * The query of an HTTP API request, both as sent and decoded. Pusher's SDKs sign the values
 * unescaped (`info=user_count,subscription_count`) and do not escape them in the URL either,
 * while generic HTTP clients escape; the signature check accepts both spellings.
 */
export interface RequestQuery {
  /** Values percent-decoded (`+` kept literal: the SDKs never encode spaces as `+`). */
  decoded: Record<string, string>;
  /** Values exactly as they appear in the URL. */
  raw: Record<string, string>;
}

export function parseRequestQuery(search: string): RequestQuery {
  const decoded: Record<string, string> = Object.create(null);
  const raw: Record<string, string> = Object.create(null);
  for (const pair of search.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const key = safeDecode(rawKey);
    // First occurrence wins, so a repeated key cannot replace a signed value.
    if (key in decoded) continue;
    decoded[key] = safeDecode(rawValue);
    raw[key] = rawValue;
  }
  return { decoded, raw };
}

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
