import { describe, expect, it } from 'vitest';
import {
  md5Hex,
  signChannel,
  signHttpRequest,
  signUser,
  verifyAuth,
  channelAuthString,
  userAuthString,
} from './signatures.js';

// Test vectors from Pusher's auth-signature docs (DESIGN.md's presence vector says "Mr. Channels";
// the published signature is over "Mr. Pusher", which every Pusher SDK's tests use).
const key = '278d425bdf160c739803';
const secret = '7ad3773142a6692b25b8';
const socketId = '1234.1234';

describe('Pusher signatures', () => {
  it('signs a private channel like Pusher', () => {
    expect(signChannel(key, secret, socketId, 'private-foobar')).toBe(
      `${key}:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4`,
    );
  });

  it('signs a presence channel with its channel_data', () => {
    const data = '{"user_id":10,"user_info":{"name":"Mr. Pusher"}}';
    expect(signChannel(key, secret, socketId, 'presence-foobar', data)).toBe(
      `${key}:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c`,
    );
  });

  it('signs user authentication', () => {
    expect(signUser(key, secret, socketId, '{"id":"12345"}')).toBe(
      `${key}:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba`,
    );
  });

  it('verifies a good auth and rejects a tampered one or another key', () => {
    const signed = channelAuthString(socketId, 'private-foobar');
    const auth = signChannel(key, secret, socketId, 'private-foobar');
    expect(verifyAuth(key, secret, signed, auth)).toBe(true);
    expect(verifyAuth(key, secret, signed, auth.replace(/.$/, '0'))).toBe(false);
    expect(verifyAuth('otherkey', secret, signed, auth)).toBe(false);
    expect(verifyAuth(key, secret, signed, undefined)).toBe(false);
    expect(verifyAuth(key, secret, signed, `${key}:short`)).toBe(false);
  });

  it('signs an HTTP API request like Pusher', () => {
    const body = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}';
    const bodyMd5 = md5Hex(body);
    expect(bodyMd5).toBe('ec365a775a4cd0599faeb73354201b6f');
    const query = {
      auth_key: key,
      auth_timestamp: '1353088179',
      auth_version: '1.0',
      body_md5: bodyMd5,
    };
    expect(signHttpRequest(secret, 'POST', '/apps/3/events', query)).toBe(
      'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c',
    );
  });
});

describe('signed strings', () => {
  it('userAuthString is what signUser signs', () => {
    const userData = '{"id":"1"}';
    expect(userAuthString('1.2', userData)).toBe('1.2::user::{"id":"1"}');
    expect(
      verifyAuth(
        key,
        secret,
        userAuthString(socketId, userData),
        signUser(key, secret, socketId, userData),
      ),
    ).toBe(true);
  });
});
