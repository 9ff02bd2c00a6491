import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');

/**
 * A project of a user of the package, in a temp dir: its own package.json and a
 * node_modules where `nestjs-broadcasting` is this repository (resolved through its
 * `exports`, so to the built dist/) and every other package is the repository's copy.
 * Nothing is written into the repository or its node_modules.
 */
export interface ConsumerProject {
  dir: string;
  /** Writes a file under the project, creating its folders. */
  write(path: string, text: string): string;
  remove(): void;
}

export function createConsumerProject(
  name: string,
  packageJson: Record<string, unknown> = { type: 'module' },
): ConsumerProject {
  if (!existsSync(join(repoRoot, 'dist/index.d.ts')) || !existsSync(join(repoRoot, 'dist/server')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
  const dir = mkdtempSync(join(tmpdir(), `nestjs-broadcasting-${name}-`));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  const installed = join(repoRoot, 'node_modules');
  for (const entry of readdirSync(installed)) {
    if (entry.startsWith('.') || entry === 'nestjs-broadcasting') continue;
    symlinkSync(join(installed, entry), join(modules, entry));
  }
  symlinkSync(repoRoot, join(modules, 'nestjs-broadcasting'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `${name}-consumer`, private: true, ...packageJson }, null, 2),
  );
  return {
    dir,
    write(path, text) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs the repository's `tsc` on a tsconfig; resolves with its exit code and output. */
export function runTsc(tsconfig: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], {
      cwd: dirname(tsconfig),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

/** The compiler options of a Nest 12 app made with `nest new` (ESM), minus emit settings. */
export const NEST_ESM_COMPILER_OPTIONS = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'ES2023',
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  isolatedModules: true,
  esModuleInterop: true,
  strict: true,
  strictPropertyInitialization: false,
  skipLibCheck: true,
  types: ['node'],
} as const;

export interface NodeProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `node <script>` in `cwd`, collecting its output. */
export function startNode(script: string, cwd: string, env: NodeJS.ProcessEnv = {}): NodeProcess {
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `url` until it answers (any status), failing with the process output after `ms`. */
export async function waitForHttp(url: string, app: NodeProcess, ms = 45_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (app.child.exitCode !== null)
      throw new Error(`The app exited (${app.child.exitCode}):\n${app.output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`${url} did not answer within ${ms} ms:\n${app.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
