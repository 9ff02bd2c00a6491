import type { ResolvedAppOptions } from '../options/resolved-server-options.interface.js';

/** The apps a server serves, found by WebSocket key or HTTP API id. */
export class AppRegistry {
  private readonly keys = new Map<string, ResolvedAppOptions>();
  private readonly ids = new Map<string, ResolvedAppOptions>();

  constructor(apps: ResolvedAppOptions[]) {
    for (const app of apps) {
      this.keys.set(app.key, app);
      this.ids.set(app.id, app);
    }
  }

  byKey(key: string): ResolvedAppOptions | undefined {
    return this.keys.get(key);
  }

  byId(id: string): ResolvedAppOptions | undefined {
    return this.ids.get(id);
  }

  all(): ResolvedAppOptions[] {
    return [...this.ids.values()];
  }
}
