import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createConsumerProject, repoRoot } from '../support/consumer-project.js';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

/** The Node versions whose require() loads ES modules without a flag. */
const ENGINES = '^20.19.0 || >=22.12.0';

function nodeSatisfiesEngines(version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
}

/** What `npm publish` would ship, as `npm pack --dry-run` lists it. */
describe('the published package', () => {
  let files: string[];

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', '--dry-run', '--json', '--ignore-scripts'],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
    );
    files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map(
      (file) => file.path,
    );
  }, 60_000);

  it('ships the build, the bin, the guides, the README and the LICENSE, and nothing else', () => {
    for (const path of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/nestjs-broadcasting.mjs',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/server/index.js',
      'dist/server/index.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/contract/index.js',
      'dist/contract/index.d.ts',
      'dist/client/index.js',
      'dist/client/index.d.ts',
      'dist/react/index.js',
      'dist/react/index.d.ts',
      'docs/events.md',
      'docs/typed-contracts.md',
      'docs/server.md',
    ])
      expect(files).toContain(path);
    const unexpected = files.filter(
      (path) =>
        !/^(dist\/|bin\/|docs\/[\w-]+\.md$|package\.json$|README\.md$|LICENSE$)/.test(path) ||
        /\.spec\./.test(path),
    );
    expect(unexpected).toEqual([]);
  });

  it('ships source maps that carry their sources (lib/ itself is not published)', () => {
    const maps = files.filter((path) => path.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    const incomplete = maps.filter((path) => {
      const map = JSON.parse(readFileSync(join(repoRoot, path), 'utf8')) as {
        sources: string[];
        sourcesContent?: Array<string | null>;
      };
      return (
        map.sourcesContent?.length !== map.sources.length ||
        map.sourcesContent.some((source) => typeof source !== 'string' || source.length === 0)
      );
    });
    expect(incomplete).toEqual([]);
  });

  it('has the MIT LICENSE its manifest names', () => {
    expect(manifest.license).toBe('MIT');
    const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(license).toContain('Permission is hereby granted, free of charge');
  });

  it('says where it lives: repository, homepage and issues of one GitHub repository', () => {
    const repo = /^git\+https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\.git$/.exec(
      manifest.repository?.url,
    )?.[1];
    expect(repo, 'repository.url').toBeTruthy();
    expect(manifest.repository.type).toBe('git');
    expect(manifest.homepage).toBe(`https://github.com/${repo}#readme`);
    expect(manifest.bugs).toEqual({ url: `https://github.com/${repo}/issues` });
    expect(manifest.keywords).toEqual(expect.arrayContaining(['nestjs', 'pusher', 'websocket']));
  });

  it('asks for the Node versions whose require() loads ES modules, and this one is among them', () => {
    expect(manifest.engines).toEqual({ node: ENGINES });
    expect(nodeSatisfiesEngines(process.version), process.version).toBe(true);
    for (const [version, ok] of [
      ['v20.18.3', false],
      ['v20.19.0', true],
      ['v22.11.0', false],
      ['v22.12.0', true],
      ['v24.0.0', true],
    ] as const)
      expect(nodeSatisfiesEngines(version), version).toBe(ok);
  });
});

/** Every module a dist entry loads, transitively: relative imports are followed, the rest kept. */
function importGraph(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(file, 'utf8');
    for (const [, specifier] of code.matchAll(
      /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g,
    )) {
      if (specifier === undefined) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else external.add(specifier);
    }
  };
  visit(join(repoRoot, entry));
  return { files: [...files].map((file) => relative(repoRoot, file)), external: [...external] };
}

describe('the browser entries', () => {
  it.each(['contract', 'client', 'react'])('exports ./%s with its types and build', (entry) => {
    expect(manifest.exports[`./${entry}`]).toEqual({
      types: `./dist/${entry}/index.d.ts`,
      default: `./dist/${entry}/index.js`,
    });
    expect(existsSync(join(repoRoot, `dist/${entry}/index.js`))).toBe(true);
    expect(existsSync(join(repoRoot, `dist/${entry}/index.d.ts`))).toBe(true);
  });

  it.each(['dist/contract/index.js', 'dist/client/index.js'])(
    '%s imports nothing from node: or @nestjs, nor any package at all',
    (entry) => {
      const graph = importGraph(entry);
      expect(graph.files).toContain(entry);
      expect(graph.files.length).toBeGreaterThan(2);
      expect(graph.external).toEqual([]);
    },
  );

  it('dist/react imports React and the client helpers only', () => {
    expect(importGraph('dist/react/index.js').external.sort()).toEqual(['react']);
  });

  it('the import graph reader sees a node: import where there is one', () => {
    expect(importGraph('dist/index.js').external).toEqual(
      expect.arrayContaining(['@nestjs/common']),
    );
    expect(importGraph('dist/server/index.js').external).toEqual(
      expect.arrayContaining(['node:http']),
    );
  });

  it('the entries resolve through the exports of the installed package and load', async () => {
    const project = createConsumerProject('browser-entries');
    try {
      const script =
        "const c = await import('nestjs-broadcasting/contract');" +
        "const l = await import('nestjs-broadcasting/client');" +
        "const r = await import('nestjs-broadcasting/react');" +
        "const ch = c.defineChannel('private', 'orders.{orderId}');" +
        'console.log(JSON.stringify([ch.name({ orderId: 7 }), typeof l.listen, typeof r.useBroadcastEvent, ' +
        "import.meta.resolve('nestjs-broadcasting/client')]));";
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', script],
        { cwd: project.dir },
      );
      const [name, listen, hook, resolved] = JSON.parse(stdout);
      expect([name, listen, hook]).toEqual(['private-orders.7', 'function', 'function']);
      expect(resolved).toMatch(/\/dist\/client\/index\.js$/);
    } finally {
      project.remove();
    }
  }, 60_000);
});
