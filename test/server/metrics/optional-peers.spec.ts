import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEST_ESM_COMPILER_OPTIONS, repoRoot } from '../../support/consumer-project.js';
import { buildPackage, removePackage } from '../support/built-package.js';

/**
 * prom-client and @nestjs/terminus are optional peers: a project that installed neither
 * loads and type-checks `nestjs-broadcasting/server` and the core; only the
 * `nestjs-broadcasting/health` entry needs terminus. The build runs from a package root whose
 * node_modules lacks both (a dist/ inside the repository would find the repository's copies).
 */
let pkg: string;
beforeAll(() => {
  pkg = buildPackage('optional-peers', { without: ['prom-client', '@nestjs/terminus'] });
}, 120_000);
afterAll(() => removePackage(pkg));

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: pkg });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

const load = (entry: string) =>
  run([
    '--input-type=module',
    '-e',
    `await import('./dist/${entry}'); console.log('loaded ${entry}');`,
  ]);

describe('without prom-client and @nestjs/terminus installed', () => {
  it('loads the core and the server entries', async () => {
    for (const entry of ['index.js', 'server/index.js']) {
      const { code, output } = await load(entry);
      expect(output).toContain(`loaded ${entry}`);
      expect(code).toBe(0);
    }
  }, 90_000);

  it('fails only on the health entry, naming @nestjs/terminus', async () => {
    const { code, output } = await load('health/index.js');
    expect(code).toBe(1);
    expect(output).toMatch(/Cannot find package '@nestjs\/terminus'/);
  }, 90_000);

  it('type-checks code that uses the server entry, metrics options included, with skipLibCheck off', async () => {
    writeFileSync(
      join(pkg, 'consumer.ts'),
      [
        "import { startBroadcastServer, type BroadcastServerModuleOptions } from './dist/server/index.js';",
        'export const options: BroadcastServerModuleOptions = { metrics: { port: 9601 } };',
        'export const start = () => startBroadcastServer({ metrics: false });',
      ].join('\n'),
    );
    writeFileSync(
      join(pkg, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...NEST_ESM_COMPILER_OPTIONS, skipLibCheck: false, noEmit: true },
        files: ['consumer.ts'],
      }),
    );
    const { code, output } = await run([
      join(repoRoot, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.json',
      '--pretty',
      'false',
    ]);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
