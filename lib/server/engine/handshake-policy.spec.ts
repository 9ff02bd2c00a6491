import { describe, expect, it } from 'vitest';
import { resolveServerOptions } from '../options/resolve-server-options.js';
import { CloseCode } from '../protocol/close-codes.js';
import { AppRegistry } from './app-registry.js';
import { checkHandshake } from './handshake-policy.js';

const apps = new AppRegistry(
  resolveServerOptions({
    localHub: false,
    apps: [
      { id: 'open', key: 'open-key', secret: 's' },
      { id: 'off', key: 'off-key', secret: 's', enabled: false },
      { id: 'site', key: 'site-key', secret: 's', allowedOrigins: ['https://app.example.com'] },
    ],
  }).apps,
);

const request = (query = 'protocol=7', origin?: string) => ({
  url: `/app/x?${query}`,
  headers: origin === undefined ? {} : { origin },
});

describe('checkHandshake', () => {
  it('admits a known, enabled app speaking protocol 7', () => {
    expect(checkHandshake(apps, 'open-key', request())).toMatchObject({ id: 'open' });
  });

  it('refuses an unknown key with 4001', () => {
    expect(checkHandshake(apps, 'nope', request())).toMatchObject({
      code: CloseCode.APP_NOT_FOUND,
    });
  });

  it('refuses a disabled app with 4003', () => {
    expect(checkHandshake(apps, 'off-key', request())).toMatchObject({
      code: CloseCode.APP_DISABLED,
    });
  });

  it('refuses a protocol below 5 with 4007', () => {
    expect(checkHandshake(apps, 'open-key', request('protocol=4'))).toMatchObject({
      code: CloseCode.UNSUPPORTED_PROTOCOL,
    });
  });

  it('refuses an origin outside allowedOrigins with 4009, and admits one inside', () => {
    expect(
      checkHandshake(apps, 'site-key', request('protocol=7', 'https://evil.test')),
    ).toMatchObject({ code: CloseCode.UNAUTHORIZED });
    expect(checkHandshake(apps, 'site-key', request())).toMatchObject({
      code: CloseCode.UNAUTHORIZED,
    });
    expect(
      checkHandshake(apps, 'site-key', request('protocol=7', 'https://app.example.com')),
    ).toMatchObject({ id: 'site' });
  });
});
