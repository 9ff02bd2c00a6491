/**
 * Which files a run writes its results to. Only a complete run (every scenario) may replace
 * `latest-{quick,full}.{md,json}`, the figures bench/README.md publishes; a run narrowed with
 * `--only=...` writes `latest-partial.{md,json}` (gitignored), so trying one scenario never
 * leaves a committed results file with sections missing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every scenario, in the order a run measures them; `--only` takes a subset. */
export const SCENARIOS = [
  'latency',
  'fanout',
  'memory',
  'dispatch',
  'redis',
  'two-nodes',
  'workers',
  'webhooks',
  'queue',
  'redis-cluster',
];

/** The scenarios named by `--only=a,b` (every scenario when the option is absent). */
export function selectedScenarios(onlyOption) {
  if (onlyOption === undefined) return [...SCENARIOS];
  const names = onlyOption
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !SCENARIOS.includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `--only=${onlyOption}: unknown scenario ${unknown.join(', ') || '(none given)'}; ` +
        `choose among ${SCENARIOS.join(', ')}`,
    );
  }
  return names;
}

/** `latest-quick` / `latest-full` for a run of every scenario, else `latest-partial`. */
export function resultsBaseName(mode, scenarios) {
  const complete = SCENARIOS.every((name) => scenarios.includes(name));
  return complete ? `latest-${mode}` : 'latest-partial';
}

/**
 * Writes `<baseName>.json` and `<baseName>.md` in `outDir`, formatted the way the repository's
 * Prettier config wants them, so `prettier --check bench` stays clean after a run. Without
 * Prettier (a production-only install) the files are written as generated.
 */
export async function writeResultFiles(outDir, baseName, results, markdown) {
  mkdirSync(outDir, { recursive: true });
  const files = [
    [join(outDir, `${baseName}.json`), JSON.stringify(results, null, 2) + '\n'],
    [join(outDir, `${baseName}.md`), markdown],
  ];
  const prettier = await import('prettier').catch(() => undefined);
  for (const [file, text] of files) {
    let output = text;
    if (prettier) {
      const config = (await prettier.resolveConfig(file).catch(() => null)) ?? {};
      output = await prettier.format(text, { ...config, filepath: file });
    }
    writeFileSync(file, output);
  }
  return files.map(([file]) => file);
}
