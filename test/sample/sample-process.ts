import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

/**
 * Builds sample/ to dist-sample/ the way `npm run build:sample` does, against the built package:
 * tsc, then the page bundle.
 */
export function buildSample(): void {
  if (!existsSync(`${repoRoot}dist/index.js`) || !existsSync(`${repoRoot}dist/server/index.js`)) {
    throw new Error('dist/ is missing: run `npm run build` before this test (CI does).');
  }
  const build = spawnSync(process.execPath, [tsc, '-p', 'sample/tsconfig.json'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    throw new Error(`tsc -p sample/tsconfig.json failed:\n${build.stdout}${build.stderr}`);
  }
  // The second half of `npm run build:sample`: the page's TypeScript bundled for the browser.
  const page = spawnSync(process.execPath, ['dist-sample/dashboard/build-page.js'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (page.status !== 0) {
    throw new Error(`the dashboard page build failed:\n${page.stdout}${page.stderr}`);
  }
}

export interface SampleProcess {
  child: ChildProcess;
  /** The dashboard URL the process printed. */
  url: string;
  output: () => string;
  /** SIGTERM, then waits for the exit; resolves with the exit code or signal. */
  stop: () => Promise<number | string | null>;
}

/** Runs a compiled sample entry point and waits until it prints the dashboard URL. */
export async function runSample(script: string, env: NodeJS.ProcessEnv): Promise<SampleProcess> {
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      // Generous: a Nest app boots in a few seconds alone, far slower beside other suites.
      const timer = setTimeout(
        () => reject(new Error(`${script} printed no URL within 60 s:\n${output}`)),
        60_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Orders dashboard[^:]*: (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (${code}):\n${output}`));
      });
    });
    return { child, url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs a compiled sample entry point to its end; resolves with its exit code and output. */
export async function runToExit(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Generous: a loaded two-core machine can take tens of seconds to boot a Nest app.
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}

/** Holds a TCP port on 127.0.0.1 until the returned function is called. */
export async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Opens a raw Pusher-protocol socket and returns it with its first frame and a frame queue. */
export async function openPusherSocket(wsUrl: string): Promise<{
  socket: WebSocket;
  established: { socket_id: string };
  next: (
    predicate: (frame: { event: string; channel?: string; data?: unknown }) => boolean,
  ) => Promise<{ event: string; channel?: string; data?: unknown }>;
}> {
  const socket = new WebSocket(wsUrl);
  const frames: Array<{ event: string; channel?: string; data?: unknown }> = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (
    predicate: (frame: { event: string; channel?: string; data?: unknown }) => boolean,
  ) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such frame; got ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const first = await next((frame) => frame.event === 'pusher:connection_established');
  return { socket, established: JSON.parse(String(first.data)), next };
}
