import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/consumer-project.js';

/**
 * The code blocks of the documentation, and the rules the docs test applies to them
 * (docs/CONTRIBUTING.md, "Documentation is tested"):
 *
 * - ```ts: a server-side module, type-checked like a Nest 12 ESM app's code;
 * - ```ts browser: browser code for a bundler, type-checked with the DOM library;
 * - ```ts fragment: not compiled (kept rare; the test caps their number);
 * - a first line `// path` (`<!-- path -->` in HTML) names the block's file. Blocks of one
 *   document make a project; naming a file the current version already has starts the next
 *   version (a copy with that file replaced), and every version is compiled.
 */
export type BlockKind = 'server' | 'browser' | 'fragment' | 'other';

export interface DocBlock {
  /** Repository-relative path of the document, e.g. `docs/events.md`. */
  doc: string;
  /** Line of the block's first code line in the document (1-based). */
  line: number;
  lang: string;
  tags: string[];
  kind: BlockKind;
  /** The file the block names on its first line, if any. */
  path?: string;
  code: string;
}

/** The documents whose blocks are tested: the README and every guide in docs/. */
export function documentedFiles(): string[] {
  const guides = readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...guides.sort()];
}

export function readDoc(doc: string): string {
  return readFileSync(join(repoRoot, doc), 'utf8');
}

const FENCE = /^```([^\s`]*)([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;
const NAMED = /^(?:\/\/|<!--)\s*([\w./-]+\.(?:ts|js|html|json|mjs|cjs))\b/;

export function blocksOf(doc: string, text = readDoc(doc)): DocBlock[] {
  const blocks: DocBlock[] = [];
  for (const match of text.matchAll(FENCE)) {
    const [, lang, rest, code] = match;
    const tags = rest.trim().split(/\s+/).filter(Boolean);
    const line = text.slice(0, match.index).split('\n').length + 1;
    const kind: BlockKind =
      lang !== 'ts'
        ? 'other'
        : tags.includes('fragment')
          ? 'fragment'
          : tags.includes('browser')
            ? 'browser'
            : 'server';
    const path = NAMED.exec(code.split('\n', 1)[0])?.[1];
    blocks.push({ doc, line, lang, tags, kind, path, code });
  }
  return blocks;
}

/** One compilable version of a document's project: file path → the block it came from. */
export type ProjectVersion = Map<string, DocBlock>;

/**
 * Groups a document's blocks of some kinds into project versions (see the file comment).
 * Unnamed blocks get a file of their own, named after their line.
 */
export function projectVersions(
  blocks: DocBlock[],
  kinds: BlockKind[],
  unnamedExtension = '.ts',
): ProjectVersion[] {
  const versions: ProjectVersion[] = [];
  let current: ProjectVersion = new Map();
  let written = new Set<string>();
  for (const block of blocks) {
    if (!kinds.includes(block.kind)) continue;
    if (block.kind === 'other' && !block.path) continue; // shell lines, output samples
    const path = block.path ?? `snippet-line-${block.line}${unnamedExtension}`;
    if (written.has(path)) {
      versions.push(current);
      current = new Map(current);
      written = new Set();
    }
    current.set(path, block);
    written.add(path);
  }
  if (current.size > 0) versions.push(current);
  return versions;
}

/** The README's Quick start: step 1 and step 2, each a full project version. */
export function quickStartVersions(): ProjectVersion[] {
  const text = readDoc('README.md');
  const start = text.indexOf('## Quick start');
  const end = text.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0) throw new Error('README.md has no "## Quick start" section');
  const offset = text.slice(0, start).split('\n').length - 1;
  const blocks = blocksOf('README.md', text.slice(start, end)).map((block) => ({
    ...block,
    line: block.line + offset,
  }));
  return projectVersions(blocks, ['server', 'other']);
}
