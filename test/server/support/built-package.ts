import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');

/**
 * Builds lib/ into `<tmp>/dist` with bin/nestjs-broadcasting.mjs beside it, as users get it
 * from `npm run build`, and returns that package root. Each test file builds its own, so
 * the shared dist/ is never half-written under another file. tsc emits even when another
 * part of the tree has a type error; the bin needs only lib/.
 *
 * `without` leaves packages out of its node_modules (`prom-client`, `@nestjs/terminus`), to
 * run the build as a user who never installed an optional peer.
 */
export function buildPackage(name: string, { without = [] }: { without?: string[] } = {}): string {
  const pkg = mkdtempSync(join(tmpdir(), `nestjs-broadcasting-${name}-`));
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(pkg, 'dist'),
    ],
    { cwd: root, stdio: 'ignore' },
  );
  for (const emitted of [
    'dist/server/hosting/serve-command.js',
    'dist/server/cluster/redis/redis-scaling.adapter.js',
  ])
    if (!existsSync(join(pkg, emitted)))
      throw new Error(`tsc did not emit ${emitted} into the temp package`);
  mkdirSync(join(pkg, 'bin'));
  copyFileSync(join(root, 'bin/nestjs-broadcasting.mjs'), join(pkg, 'bin/nestjs-broadcasting.mjs'));
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: `${name}-under-test`, type: 'module' }),
  );
  if (without.length === 0) symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  else linkModulesWithout(join(root, 'node_modules'), join(pkg, 'node_modules'), without);
  return pkg;
}

/** A node_modules of links to every installed package but the `without` ones. */
function linkModulesWithout(from: string, to: string, without: string[]): void {
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    if (without.includes(entry)) continue;
    if (entry.startsWith('@') && without.some((name) => name.startsWith(`${entry}/`)))
      linkModulesWithout(
        join(from, entry),
        join(to, entry),
        without
          .filter((name) => name.startsWith(`${entry}/`))
          .map((name) => name.slice(entry.length + 1)),
      );
    else symlinkSync(join(from, entry), join(to, entry));
  }
}

export function removePackage(pkg: string | undefined): void {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
}
