import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_BUNDLE } from './build-page.js';

export interface Asset {
  type: string;
  body: Buffer;
}

/**
 * The page's own files live in `sample/dashboard/public/`. tsc does not copy them, so the
 * compiled app (dist-sample/dashboard/) looks them up in the source tree it mirrors.
 */
function publicDir(): string {
  const beside = fileURLToPath(new URL('./public/', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../sample/dashboard/public/', import.meta.url));
}

/**
 * Everything the browser loads, read once at boot. The page's script is the bundle that
 * `npm run build:sample` makes from dashboard/browser/dashboard.ts (Echo and pusher-js inside).
 */
export function loadDashboardAssets(): { page: Buffer; assets: Map<string, Asset> } {
  const dir = publicDir();
  if (!existsSync(DASHBOARD_BUNDLE)) {
    throw new Error(
      `The dashboard page is not built (${DASHBOARD_BUNDLE} is missing): run npm run build:sample.`,
    );
  }
  const js = 'text/javascript; charset=utf-8';
  const files: Record<string, [path: string, type: string]> = {
    'dashboard.js': [DASHBOARD_BUNDLE, js],
    'dashboard.js.map': [`${DASHBOARD_BUNDLE}.map`, 'application/json'],
    'dashboard.css': [dir + 'dashboard.css', 'text/css; charset=utf-8'],
    'favicon.svg': [dir + 'favicon.svg', 'image/svg+xml'],
  };
  const assets = new Map<string, Asset>();
  for (const [name, [path, type]] of Object.entries(files)) {
    assets.set(name, { type, body: readFileSync(path) });
  }
  return { page: readFileSync(dir + 'index.html'), assets };
}
