import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NEST_ESM_COMPILER_OPTIONS,
  createConsumerProject,
  repoRoot,
  runTsc,
  type ConsumerProject,
} from '../support/consumer-project.js';
import {
  blocksOf,
  documentedFiles,
  projectVersions,
  quickStartVersions,
  readDoc,
  type BlockKind,
  type DocBlock,
} from './doc-blocks.js';

const MAX_FRAGMENTS = 3;
const README_MAX_LINES = 250;
/** A deliberate error per kind, so a run that compiles nothing cannot pass. */
const CANARY = "export const planted: number = 'not a number';\n";

type Compiled = { code: number | null; output: string };

/** tsc's `file(line,col): error ...` lines, pointed back at the document and its line. */
function mapDiagnostics(output: string, origin: Map<string, DocBlock>): string[] {
  const mapped: string[] = [];
  for (const line of output.split('\n')) {
    const match = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line.trim());
    if (!match) {
      if (line.trim() && mapped.length > 0) mapped[mapped.length - 1] += `\n  ${line.trim()}`;
      continue;
    }
    const [, file, row, column, message] = match;
    const block = origin.get(normalize(file));
    mapped.push(
      block
        ? `${block.doc}:${block.line + Number(row) - 1}:${column} ${message}`
        : `${file}:${row}:${column} ${message}`,
    );
  }
  return mapped;
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function withoutCode(text: string): string {
  return text.replace(/^```[\s\S]*?^```[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

function headingAnchors(file: string): Set<string> {
  const raw = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```[ \t]*$/gm, '');
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of raw.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

describe('the documentation', () => {
  const docs = documentedFiles();
  const blocks = docs.flatMap((doc) => blocksOf(doc));
  const origin = new Map<string, DocBlock>();
  let project: ConsumerProject;
  const compiled: Partial<Record<'server' | 'browser', Compiled>> = {};

  /** Writes every version of every document's project of one kind; returns the file count. */
  function writeKind(kind: BlockKind & ('server' | 'browser')): number {
    let files = 0;
    for (const doc of docs) {
      const versions = projectVersions(
        blocks.filter((block) => block.doc === doc),
        [kind],
      );
      versions.forEach((version, index) => {
        for (const [path, block] of version) {
          if (!path.endsWith('.ts')) continue;
          const file = normalize(`${kind}/${doc.replace(/[/.]/g, '-')}/v${index + 1}/${path}`);
          origin.set(file, block);
          project.write(file, block.code);
          files++;
        }
      });
    }
    project.write(`${kind}/canary/planted.ts`, CANARY);
    return files;
  }

  beforeAll(async () => {
    project = createConsumerProject('docs');
    project.write(
      'tsconfig.server.json',
      JSON.stringify({
        compilerOptions: { ...NEST_ESM_COMPILER_OPTIONS, noEmit: true },
        include: ['server/**/*.ts'],
      }),
    );
    project.write(
      'tsconfig.browser.json',
      JSON.stringify({
        compilerOptions: {
          module: 'esnext',
          moduleResolution: 'bundler',
          target: 'ES2022',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: [],
        },
        include: ['browser/**/*.ts'],
      }),
    );
    expect(writeKind('server')).toBeGreaterThan(20);
    expect(writeKind('browser')).toBeGreaterThan(2);
    // One tsc run per kind, side by side.
    const [server, browser] = await Promise.all([
      runTsc(join(project.dir, 'tsconfig.server.json')),
      runTsc(join(project.dir, 'tsconfig.browser.json')),
    ]);
    compiled.server = server;
    compiled.browser = browser;
  }, 60_000);

  afterAll(() => project?.remove());

  const docErrors = (kind: 'server' | 'browser') =>
    mapDiagnostics(compiled[kind]!.output, origin).filter((line) => !line.includes('canary/'));

  it('type-checks every ts block against the built package, as a Nest 12 app compiles it', () => {
    expect(docErrors('server')).toEqual([]);
  });

  it('type-checks every ts browser block with the DOM library and the Echo and pusher-js types', () => {
    expect(docErrors('browser')).toEqual([]);
  });

  it('really type-checks: a planted error is reported for each kind', () => {
    for (const kind of ['server', 'browser'] as const) {
      expect(compiled[kind]!.code, kind).not.toBe(0);
      expect(compiled[kind]!.output, kind).toMatch(/canary\/planted\.ts\(1,\d+\): error TS2322/);
    }
  });

  it('points diagnostics at the document line of the block', () => {
    const block = blocks.find((b) => b.kind === 'server')!;
    const map = new Map([['server/x/v1/a.ts', block]]);
    expect(mapDiagnostics("server/x/v1/a.ts(3,7): error TS2322: Type 'string'…", map)).toEqual([
      `${block.doc}:${block.line + 2}:7 error TS2322: Type 'string'…`,
    ]);
  });

  it('parses every json block', () => {
    for (const block of blocks.filter((b) => b.lang === 'json'))
      expect(() => JSON.parse(block.code), `${block.doc}:${block.line}`).not.toThrow();
  });

  it('marks ts blocks only with the known words, and keeps fragments rare', () => {
    for (const block of blocks.filter((b) => b.lang === 'ts'))
      for (const tag of block.tags)
        expect(['browser', 'fragment'], `${block.doc}:${block.line}`).toContain(tag);
    expect(blocks.filter((b) => b.kind === 'fragment').length).toBeLessThanOrEqual(MAX_FRAGMENTS);
  });

  it('has js and html blocks only in the README Quick start, which its e2e test runs', () => {
    const quickStart = new Set(quickStartVersions().flatMap((v) => [...v.values()]));
    const quickStartLines = new Set([...quickStart].map((b) => b.line));
    for (const block of blocks.filter((b) => ['js', 'javascript', 'html'].includes(b.lang))) {
      const where = `${block.doc}:${block.line}`;
      expect(block.doc, where).toBe('README.md');
      expect(quickStartLines.has(block.line), where).toBe(true);
      expect(block.path, `${where} names its file`).toBeTruthy();
    }
  });

  it('links only to files and headings that exist', () => {
    const linked = [...docs, 'sample/README.md', 'bench/README.md'];
    const broken: string[] = [];
    for (const doc of linked) {
      const text = withoutCode(readDoc(doc));
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#');
        const file = path ? join(repoRoot, dirname(doc), path) : join(repoRoot, doc);
        if (!existsSync(file)) {
          broken.push(`${doc}: ${target} (no such file)`);
          continue;
        }
        if (anchor && file.endsWith('.md') && statSync(file).isFile())
          if (!headingAnchors(file).has(anchor)) broken.push(`${doc}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('names only guides that exist, in the library and the sample', () => {
    const missing: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else if (/\.(ts|mjs|js)$/.test(entry.name))
          for (const [doc] of readFileSync(join(repoRoot, path), 'utf8').matchAll(
            /\b(?:docs|sample|bench)\/[\w-]+\.md\b/g,
          ))
            if (!existsSync(join(repoRoot, doc))) missing.push(`${path}: ${doc}`);
      }
    };
    for (const dir of ['lib', 'sample', 'bin']) walk(dir);
    expect(missing).toEqual([]);
  });

  it(`keeps the README under ${README_MAX_LINES} lines`, () => {
    expect(readDoc('README.md').split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
  });
});
