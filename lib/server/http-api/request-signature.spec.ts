import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpApiError } from './http-api-error.js';
import type { HttpApiApp } from '../engine/engine-surface.js';
import { parseRequestQuery } from './request-query.js';
import { verifyRequestSignature } from './request-signature.js';

// Pusher's published HTTP API vector (DESIGN.md "Pusher protocol facts").
const app: HttpApiApp = {
  id: '3',
  key: '278d425bdf160c739803',
  secret: '7ad3773142a6692b25b8',
  enabled: true,
  limits: { maxEventBytes: 10240, maxChannelsPerEvent: 100, maxBatchSize: 10 },
};
const body = Buffer.from(
  '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}',
);
const timestamp = 1353088179;
const search =
  'auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0' +
  '&body_md5=ec365a775a4cd0599faeb73354201b6f' +
  '&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c';

const verify = (query: string, now = timestamp, payload = body) =>
  verifyRequestSignature(app, 'POST', '/apps/3/events', parseRequestQuery(query), payload, now);
const status = (fn: () => void) => {
  try {
    fn();
    return 200;
  } catch (error) {
    return (error as HttpApiError).status;
  }
};

describe('verifyRequestSignature', () => {
  it("accepts Pusher's published example request", () => {
    expect(() => verify(search)).not.toThrow();
  });

  it('accepts up to 600 s of clock skew either way, and refuses beyond', () => {
    expect(status(() => verify(search, timestamp + 600))).toBe(200);
    expect(status(() => verify(search, timestamp - 600))).toBe(200);
    expect(status(() => verify(search, timestamp + 601))).toBe(401);
    expect(status(() => verify(search, timestamp - 601))).toBe(401);
  });

  it('refuses a changed body, key, version or signature', () => {
    expect(status(() => verify(search, timestamp, Buffer.from('{}')))).toBe(401);
    expect(status(() => verify(search.replace('auth_key=278d', 'auth_key=999d')))).toBe(401);
    expect(status(() => verify(search.replace('auth_version=1.0', 'auth_version=2.0')))).toBe(401);
    expect(status(() => verify(search.replace('auth_signature=da45', 'auth_signature=da46')))).toBe(
      401,
    );
  });

  it('accepts a signature over unescaped values whether the URL escapes them or not', () => {
    const signed = (info: string) =>
      verifyRequestSignature(
        { ...app, secret: 's' },
        'GET',
        '/apps/3/channels',
        parseRequestQuery(
          `auth_key=${app.key}&auth_timestamp=${timestamp}&auth_version=1.0&info=${info}` +
            `&auth_signature=${expected}`,
        ),
        Buffer.alloc(0),
        timestamp,
      );
    const expected = hmac(
      `GET\n/apps/3/channels\nauth_key=${app.key}&auth_timestamp=${timestamp}&auth_version=1.0&info=user_count,subscription_count`,
    );
    expect(() => signed('user_count,subscription_count')).not.toThrow();
    expect(() => signed('user_count%2Csubscription_count')).not.toThrow();
  });
});

function hmac(value: string) {
  return createHmac('sha256', 's').update(value).digest('hex');
}
