import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);

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
 * Everything the browser loads, read once at boot. The client libraries come straight
 * from node_modules (no CDN, no bundler): pusher-js's browser build and laravel-echo's
 * IIFE build, which exposes `window.Echo`.
 */
export function loadDashboardAssets(): { page: Buffer; assets: Map<string, Asset> } {
  const dir = publicDir();
  const js = 'text/javascript; charset=utf-8';
  const files: Record<string, [path: string, type: string]> = {
    'pusher.min.js': [require.resolve('pusher-js/dist/web/pusher.min.js'), js],
    'echo.iife.js': [require.resolve('laravel-echo/iife'), js],
    'dashboard.js': [dir + 'dashboard.js', js],
    'dashboard.css': [dir + 'dashboard.css', 'text/css; charset=utf-8'],
    'favicon.svg': [dir + 'favicon.svg', 'image/svg+xml'],
  };
  const assets = new Map<string, Asset>();
  for (const [name, [path, type]] of Object.entries(files)) {
    assets.set(name, { type, body: readFileSync(path) });
  }
  return { page: readFileSync(dir + 'index.html'), assets };
}
