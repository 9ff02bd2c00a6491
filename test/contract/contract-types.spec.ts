import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NEST_ESM_COMPILER_OPTIONS,
  createConsumerProject,
  repoRoot,
  runTsc,
  type ConsumerProject,
} from '../support/consumer-project.js';

const here = join(repoRoot, 'test/contract');
const TYPE_FILES = readdirSync(join(here, 'types')).filter((name) => name.endsWith('.types.ts'));
const DIRECTIVE = /\/\/ @ts-expect-error.*$/;

/** `types/x.ts(12,3): error ...` → "types/x.ts:12" for every error line of tsc's output. */
function errorLines(output: string): string[] {
  return [...output.matchAll(/^(\S+?)\((\d+),\d+\): error/gm)].map(
    ([, file, line]) => `${file}:${line}`,
  );
}

/**
 * The type-level specification (test/contract/types/*.types.ts) compiled as a user's project
 * would compile it: `nestjs-broadcasting/contract`, `/client` and `/react` resolve through the
 * package's exports to dist/, and zod, valibot, laravel-echo, pusher-js, @laravel/echo-react
 * and React are the real packages.
 */
describe('the contracts at the type level', () => {
  let project: ConsumerProject;

  /** Writes the type files (transformed) and the shared contracts, then runs tsc. */
  async function compile(transform: (text: string) => string = (text) => text) {
    for (const file of TYPE_FILES) {
      project.write(`types/${file}`, transform(readFileSync(join(here, 'types', file), 'utf8')));
    }
    return runTsc(join(project.dir, 'tsconfig.json'));
  }

  beforeAll(() => {
    project = createConsumerProject('contract-types');
    project.write(
      'fixtures/shop.contracts.ts',
      readFileSync(join(here, 'fixtures/shop.contracts.ts'), 'utf8'),
    );
    project.write(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          ...NEST_ESM_COMPILER_OPTIONS,
          lib: ['ES2023', 'DOM', 'DOM.Iterable'],
          noEmit: true,
        },
        include: ['types/**/*.ts', 'fixtures/**/*.ts'],
      }),
    );
  });
  afterAll(() => project?.remove());

  it('has type files with expectations in them', () => {
    expect(TYPE_FILES.sort()).toEqual(['client.types.ts', 'server.types.ts']);
  });

  it('compiles, with every @ts-expect-error meeting its error', async () => {
    const { code, output } = await compile();
    expect(output.trim()).toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it('fails exactly on the lines marked: a wrong payload, a missing parameter, a misspelt event...', async () => {
    const expected: string[] = [];
    for (const file of TYPE_FILES) {
      readFileSync(join(here, 'types', file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          // The error belongs to the line after the directive (1-based: index + 2).
          if (DIRECTIVE.test(line)) expected.push(`types/${file}:${index + 2}`);
        });
    }
    expect(expected.length).toBeGreaterThan(20);
    // Each directive becomes a plain comment, so line numbers stay put.
    const { code, output } = await compile((text) =>
      text.replace(/\/\/ @ts-expect-error.*$/gm, '//'),
    );
    expect(code).not.toBe(0);
    expect([...new Set(errorLines(output))].sort()).toEqual(expected.sort());
  }, 120_000);
});
