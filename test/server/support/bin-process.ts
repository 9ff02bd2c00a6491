import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './broadcast-server-harness.js';

/** `nestjs-broadcasting ...` of a built package (built-package.ts), as a child process. */
export interface BinProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far, as it arrived. */
  out: string[];
  err: string[];
  /** The exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  /** Waits for the listening line and returns the URL and port it names. */
  listening(): Promise<{ url: string; port: number }>;
  /** Complete lines written so far to stdout, or stderr. */
  lines(stream: 'out' | 'err'): string[];
}

const started: ChildProcess[] = [];

/**
 * Spawns the bin with only PATH and `env` in its environment (nothing of the test's own
 * BROADCASTING_* leaks in), the package root as its working directory. Call
 * {@link killBins} in an afterEach or afterAll so none outlives its tests.
 */
export function runBin(pkg: string, args: string[], env: Record<string, string> = {}): BinProcess {
  const child = spawn(process.execPath, [join(pkg, 'bin/nestjs-broadcasting.mjs'), ...args], {
    cwd: pkg,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  started.push(child);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => err.push(String(d)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = (stream: 'out' | 'err') => {
    const text = (stream === 'out' ? out : err).join('');
    return text.split('\n').slice(0, -1); // the part after the last newline is unfinished
  };
  return {
    child,
    out,
    err,
    exit,
    lines,
    async listening() {
      const match = await waitFor(
        () => /listening on (https?:\/\/[^\s"]+)/.exec(out.join('')),
        60_000,
        `the listening line (stderr: ${err.join('')})`,
      );
      return { url: match[1], port: Number(new URL(match[1]).port) };
    },
  };
}

/** Kills (SIGKILL) every bin started so far that is still running. */
export function killBins(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
