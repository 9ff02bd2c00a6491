import { defaultBroadcastConfig } from '../config/default-config.js';
import type { ResolvedBroadcastConfig } from '../config/resolved-config.interface.js';

/**
 * Pusher-protocol credentials of the testing module. Channel authorization refuses to boot
 * with `@ChannelAuth` methods and no credentials to sign with, so tests of an app that
 * authorizes channels need some; these are fixed and public, never for production.
 */
export const TESTING_APP = { id: 'testing', key: 'testing-key', secret: 'testing-secret' };

/** Every key at its default (no file, no env), plus {@link TESTING_APP}. */
export function testingBroadcastConfig(): ResolvedBroadcastConfig {
  const config = defaultBroadcastConfig();
  return {
    ...config,
    app: { ...TESTING_APP },
    sources: {
      ...config.sources,
      'app.id': 'default',
      'app.key': 'default',
      'app.secret': 'default',
    },
  };
}
