import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where the page's TypeScript lives; the source tree, also when run from dist-sample/. */
const sampleDir = fileURLToPath(new URL('../../sample/', import.meta.url));
const entry = resolve(sampleDir, 'dashboard/browser/dashboard.ts');

/** Where `npm run build:sample` writes the bundle and the app serves it from. */
export const DASHBOARD_BUNDLE = fileURLToPath(
  new URL('../../dist-sample/public/dashboard.js', import.meta.url),
);

/**
 * Bundles the page (its TypeScript, the contracts, the client helpers, laravel-echo and
 * pusher-js) into one browser script: no CDN, nothing loaded from node_modules at run time.
 * `nestjs-broadcasting/*` resolves through the package's own exports to dist/, as in the app.
 */
export async function buildDashboardPage(outfile = DASHBOARD_BUNDLE): Promise<string> {
  mkdirSync(dirname(outfile), { recursive: true });
  const { outputFiles } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    write: false,
  });
  // Written aside and renamed into place: test files that build the page at the same time
  // never serve a half-written bundle.
  for (const file of outputFiles) {
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const written = await buildDashboardPage();
  console.log(`Dashboard page bundled: ${written}`);
}
