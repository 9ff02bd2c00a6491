import { afterEach, describe, expect, it } from 'vitest';
import { applyConfigCascade } from '../../../lib/config/resolve-config.js';
import { resolveServerOptions } from '../../../lib/server/options/resolve-server-options.js';
import { startTestServer } from '../support/broadcast-server-harness.js';

/**
 * Webhook options from code, the config file and the environment, and what is refused at
 * start, by name: unknown event types, filters and headers of the wrong type, bad URLs.
 */
const withFile = (server: object, env: Record<string, string> = {}) =>
  applyConfigCascade({}, { path: '/etc/broadcasting.json', values: { server } }, env);
const app = { id: '1', key: 'k', secret: 's3cr3t-value' };
const messageOf = (attempt: () => unknown): string => {
  try {
    attempt();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const EVENT_NAMES =
  '"channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event", ' +
  '"cache_miss" or "subscription_count"';

describe('webhook options', () => {
  it('takes per-app webhooks from the config file and delivery settings from file and env', () => {
    const hooks = [
      { url: 'https://example.com/pusher/webhooks' },
      {
        url: 'https://example.com/orders-hooks',
        eventTypes: ['channel_occupied'],
        filter: { channelNameStartsWith: 'orders.' },
        headers: { 'X-Env': 'prod' },
      },
    ];
    const config = withFile(
      { apps: [{ ...app, webhooks: hooks }], webhooks: { retryWindowSeconds: 60 } },
      { BROADCASTING_WEBHOOK_TIMEOUT_SECONDS: '2', BROADCASTING_WEBHOOK_MAX_PENDING: '50' },
    );
    const resolved = resolveServerOptions({}, config);
    expect(resolved.apps[0].webhooks).toEqual(hooks);
    expect(resolved.apps[0].subscriptionCountEvents).toBe(false);
    expect(resolved.webhooks).toEqual({
      timeoutSeconds: 2,
      retryWindowSeconds: 60,
      maxPendingPerApp: 50,
    });
  });

  it('defaults to a 4 s timeout, a 5 minute retry window and 10000 pending per app; options win', () => {
    expect(resolveServerOptions({ apps: [app] }, withFile({})).webhooks).toEqual({
      timeoutSeconds: 4,
      retryWindowSeconds: 300,
      maxPendingPerApp: 10_000,
    });
    const config = withFile({}, { BROADCASTING_WEBHOOK_TIMEOUT_SECONDS: '2' });
    expect(
      resolveServerOptions({ apps: [app], webhooks: { timeoutSeconds: 9 } }, config).webhooks
        .timeoutSeconds,
    ).toBe(9);
  });

  it('refuses an unknown event type by its path, with the name it most likely meant', () => {
    const file = {
      apps: [{ ...app, webhooks: [{ url: 'https://x.test/h', eventTypes: ['channel_ocupied'] }] }],
    };
    // Checked as the file is read: a typo fails the boot before anything else runs.
    expect(messageOf(() => withFile(file))).toBe(
      'Invalid broadcasting config server.apps[0].webhooks[0].eventTypes[0] = "channel_ocupied" ' +
        '(from config file /etc/broadcasting.json "server.apps[0].webhooks[0].eventTypes[0]"): ' +
        `must be one of ${EVENT_NAMES}. Did you mean "channel_occupied"?`,
    );
  });

  it('refuses a filter of the wrong type, and a typo in a filter key', () => {
    const hook = (filter: unknown) => ({
      apps: [{ ...app, webhooks: [{ url: 'https://x.test/h', filter }] }],
    });
    expect(messageOf(() => resolveServerOptions(hook({ channelNameStartsWith: 7 }) as never))).toBe(
      'Invalid broadcasting config apps[0].webhooks[0].filter.channelNameStartsWith = "7" ' +
        '(from the server options "apps[0].webhooks[0].filter.channelNameStartsWith"): ' +
        'must be a non-empty string.',
    );
    expect(messageOf(() => resolveServerOptions(hook('orders.') as never))).toBe(
      'Invalid broadcasting config apps[0].webhooks[0].filter = "orders." ' +
        '(from the server options "apps[0].webhooks[0].filter"): must be an object.',
    );
    expect(
      messageOf(() => resolveServerOptions(hook({ channelNameStartWith: 'a' }) as never)),
    ).toBe(
      'Unknown broadcasting config key apps[0].webhooks[0].filter.channelNameStartWith ' +
        '(in the server options). Did you mean "channelNameStartsWith"? ' +
        'Keys allowed there: channelNameStartsWith, channelNameEndsWith.',
    );
  });

  it('refuses headers that are not strings and a URL that is not http(s)', () => {
    const withHook = (hook: object) => ({ apps: [{ ...app, webhooks: [hook] }] });
    expect(
      messageOf(() =>
        resolveServerOptions(withHook({ url: 'https://x.test/h', headers: { 'X-N': 1 } }) as never),
      ),
    ).toBe(
      'Invalid broadcasting config apps[0].webhooks[0].headers = "(an object)" ' +
        '(from the server options "apps[0].webhooks[0].headers"): ' +
        'must be an object whose values are strings (header name: value).',
    );
    expect(
      messageOf(() => resolveServerOptions(withHook({ url: 'ftp://x.test/h' }) as never)),
    ).toBe(
      'Invalid broadcasting config apps[0].webhooks[0].url = "ftp://x.test/h" ' +
        '(from the server options "apps[0].webhooks[0].url"): ' +
        'must be an http:// or https:// URL with a host, e.g. https://example.com/pusher/webhooks.',
    );
  });

  it('refuses a bad BROADCASTING_WEBHOOK_* value, naming the variable', () => {
    expect(messageOf(() => withFile({}, { BROADCASTING_WEBHOOK_MAX_PENDING: 'lots' }))).toMatch(
      /^Invalid broadcasting config server\.webhooks\.maxPendingPerApp = "lots" \(from .*BROADCASTING_WEBHOOK_MAX_PENDING.*\): must be a whole number of at least 1\.$/,
    );
  });

  it('refuses at start a server whose webhook names an unknown event type', async () => {
    await expect(
      startTestServer({
        apps: [
          { ...app, webhooks: [{ url: 'https://x.test/h', eventTypes: ['whisper' as never] }] },
        ],
      }),
    ).rejects.toThrow(
      'Invalid broadcasting config apps[0].webhooks[0].eventTypes[0] = "whisper" ' +
        `(from the server options "apps[0].webhooks[0].eventTypes[0]"): must be one of ${EVENT_NAMES}.`,
    );
  });
});
